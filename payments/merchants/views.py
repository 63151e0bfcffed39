"""The merchant area's money page (/merchant/money/): what the merchant is owed and what is held
for open returns, its statement of a month (CSV to download), its payouts and its bank details.
Thin: reads through the selectors, changes through the services."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.merchant_views import merchant_required
from crossborder.errors import DomainError

from ..models import MerchantPayout, MerchantPayoutTerms
from . import services, statements

PAYOUTS_SHOWN = 12


def _kind_labels():
    return {
        "sale": _("Sale"),
        "sale abroad": _("Sale abroad"),
        "commission": _("Commission"),
        "fee": _("Fee"),
        "refund": _("Refund"),
        "refund abroad": _("Return abroad"),
        "payout": _("Payout"),
    }


@merchant_required(roles=("finance",))
def money_page(request):
    merchant = request.merchant
    statement = statements.from_request(request, merchant)
    if request.GET.get("format") == "csv":
        return statements.csv_response(statement)
    labels = _kind_labels()
    balances = [
        {
            "currency": currency,
            "owed": owed,
            "held": held,
            "payable": max(amount, 0),
            "minimum": services.minimum(currency),
        }
        for _id, currency, owed, held, amount in services.payable([merchant.pk])
    ]
    terms = MerchantPayoutTerms.objects.filter(merchant=merchant).first()
    context = {
        "statement": statement,
        "lines": [(line, labels.get(line.kind, line.kind)) for line in statement.lines],
        "balances": balances,
        "terms": terms,
        "commission_percent": services.commission_percent(merchant.pk),
        "payouts": list(
            MerchantPayout.objects.filter(merchant=merchant)
            .select_related("run")
            .order_by("-run__created_at")[:PAYOUTS_SHOWN]
        ),
        "payout_hour": settings.MERCHANT_MONEY["PAYOUT_HOUR"],
    }
    return render(request, "payments/merchant_money.html", context)


@require_POST
@merchant_required(roles=("finance",))
def bank_details(request):
    fields = ["account_holder", "iban", "bic", "account_number", "bank_name"]
    try:
        services.set_bank_details(
            merchant=request.merchant,
            country=request.POST.get("bank_country", ""),
            **{name: request.POST.get(name, "") for name in fields},
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Bank details saved."))
    return redirect("payments:merchant-money")
