"""Paying local providers what we owe them: per provider and month, in each currency, the balance
of its `provider_payables` in the ledger (each completed ticket's cost, tagged with the provider:
charges.payable_tag) recorded before the month's end, less what was paid out before. The payout
posts once (provider payable down, bank out: ledger.record_provider_payout under a reference naming
the provider, month and currency; ProviderPayout is unique on the same), and keeps a CSV of the
tickets it covers beside the provider's statement. Running it again pays nothing twice."""

import datetime as dt
import io

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder import money, spreadsheets
from crossborder.errors import DomainError
from payments.ledger.services import ledger

from ...errors import ServiceErrorCode as Code
from ...models import ProviderPayout, ServiceProvider
from .. import selectors
from .charges import payable_tag


def month_end(month):
    """The first moment after the month starting `month` (platform time)."""
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(dt.datetime.combine(following, dt.time.min))


def _now():
    return timezone.now()


def month_over(month, now=None):
    return month_end(month) <= (now or _now())


def owed(provider, *, before=None):
    """{currency: amount we owe the provider} from the ledger (recorded before `before`)."""
    balance = ledger.counterparty_balance(
        account="provider_payables", counterparty=payable_tag(provider), before=before
    )
    return {currency: -total for currency, total in balance.items() if total < 0}


def pay_provider(*, provider, month, staff=None, now=None):
    """Pay out what the provider is owed for tickets completed up to the end of `month` (a date on
    the month's first day, which must be over). Returns the payouts made now; [] when nothing is
    owed or it was paid already."""
    now = now or _now()
    end = month_end(month)
    if end > now:
        raise DomainError(Code.INVALID, _("A month is paid out once it is over."), field="month", status=409)
    made = []
    with transaction.atomic():
        provider = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
        for currency, amount in sorted(owed(provider, before=end).items()):
            reference = f"provider-payout:{settings.PLATFORM_CODE}:{provider.reference}:{month:%Y-%m}:{currency}"
            if ProviderPayout.objects.filter(ledger_reference=reference).exists():
                continue
            paid = money.money(amount, currency)
            ledger.record_provider_payout(reference=reference, amount=paid, counterparty=payable_tag(provider))
            made.append(
                ProviderPayout.objects.create(
                    provider=provider,
                    month=month,
                    amount=paid,
                    ledger_reference=reference,
                    csv=_csv(provider, month, currency, paid, reference),
                    staff=staff if getattr(staff, "is_authenticated", False) else None,
                    created_at=now,
                )
            )
    return made


def pay_all(*, month, staff=None, now=None):
    """Every provider's payout of `month` (the management command): {provider name: payouts}."""
    return {
        provider.name: pay_provider(provider=provider, month=month, staff=staff, now=now)
        for provider in ServiceProvider.objects.order_by("pk")
    }


def _csv(provider, month, currency, amount, reference):
    statement = selectors.provider_statement(provider, month)
    out = io.StringIO()
    writer = spreadsheets.CsvWriter(out)  # provider names and ticket titles are neutralised
    writer.writerow(["provider", "month", "ticket", "completed", "skill", "what", "provider's price", "currency"])
    for ticket in statement.tickets:
        if str(ticket.cost.currency) != currency:
            continue
        writer.writerow(
            [
                provider.name,
                f"{month:%Y-%m}",
                ticket.number,
                timezone.localtime(ticket.completed_at).isoformat(timespec="minutes"),
                ticket.skill.code,
                ticket.title,
                f"{ticket.cost.amount}",
                currency,
            ]
        )
    writer.writerow([provider.name, f"{month:%Y-%m}", "payout", "", "", reference, f"{amount.amount}", currency])
    return out.getvalue()
