"""Provider payouts: each completed ticket's cost is owed to its provider in the ledger, tagged with
it (a provider's balance is one query); a month's payout posts once per provider, month and
currency (payable down, bank out), brings the balance to zero and never pays twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from aftersales.models import ProviderPayout, ServiceTicket
from aftersales.service.services import payouts, tickets
from aftersales.service.services.charges import payable_tag
from crossborder.errors import DomainError
from payments.ledger.services import ledger
from payments.models import LedgerTransaction

from .service_factories import checkout_with_installation, installable_variant, make_provider, place_and_pay
from .test_service_tickets import postings_of

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def completed(warehouse, provider):
    ticket = ServiceTicket.objects.get(
        order=place_and_pay(checkout_with_installation((installable_variant(warehouse), 1)))
    )
    assert ticket.provider == provider
    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=3))
    return tickets.complete(ticket=ticket, provider=provider)


def after_this_month():
    this_month = timezone.localdate().replace(day=1)
    return this_month, payouts.month_end(this_month) + dt.timedelta(hours=1)


def test_a_providers_balance_is_what_its_completed_tickets_cost_and_a_payout_brings_it_to_zero_once(
    service_shop, monkeypatch
):
    provider = make_provider()
    first, second = completed(service_shop, provider), completed(service_shop, provider)
    assert payouts.owed(provider) == {"CNY": Decimal("160.00")}
    assert ("provider_payables", Decimal("-80.00"), "CNY") in postings_of(first.ledger_reference)

    month, later = after_this_month()
    (payout,) = payouts.pay_provider(provider=provider, month=month, now=later)

    assert payout.amount.amount == Decimal("160.00") and str(payout.amount.currency) == "CNY"
    assert postings_of(payout.ledger_reference) == sorted(
        [("provider_payables", Decimal("160.00"), "CNY"), ("bank", Decimal("-160.00"), "CNY")]
    )
    assert payouts.owed(provider) == {}
    assert ledger.counterparty_balance(account="provider_payables", counterparty=payable_tag(provider)) == {}
    assert first.number in payout.csv and second.number in payout.csv and "160.00" in payout.csv

    # Run again (the admin button twice, the command after it): nothing paid twice.
    assert payouts.pay_provider(provider=provider, month=month, now=later) == []
    monkeypatch.setattr(payouts, "_now", lambda: later)
    call_command("pay_providers", month=f"{month:%Y-%m}")
    assert LedgerTransaction.objects.filter(kind="provider_payout").count() == 1
    assert ProviderPayout.objects.count() == 1


def test_a_month_not_over_is_not_paid_out_and_other_providers_are_untouched(service_shop):
    provider = make_provider()
    completed(service_shop, provider)
    other = make_provider("Other Fitters", prices={"installation": "90.00", "maintenance": "60.00", "repair": "100.00"})
    with pytest.raises(DomainError) as refused:
        payouts.pay_provider(provider=provider, month=timezone.localdate().replace(day=1))
    assert refused.value.status == 409 and not ProviderPayout.objects.exists()

    month, later = after_this_month()
    payouts.pay_provider(provider=other, month=month, now=later)
    assert payouts.owed(provider) == {"CNY": Decimal("80.00")} and payouts.owed(other) == {}


def test_ops_pay_out_from_the_statement_and_download_its_csv(service_shop, admin_client, monkeypatch):
    provider = make_provider()
    ticket = completed(service_shop, provider)
    month, later = after_this_month()
    monkeypatch.setattr(payouts, "_now", lambda: later)
    url = reverse("admin:aftersales_serviceprovider_statement", args=[provider.pk]) + f"?month={month:%Y-%m}"

    admin_client.post(url)
    admin_client.post(url)  # a second click

    (payout,) = ProviderPayout.objects.all()
    page = admin_client.get(url)
    assert b"data-payout" in page.content
    csv = admin_client.get(reverse("admin:aftersales_serviceprovider_payout_csv", args=[provider.pk, payout.pk]))
    assert csv["Content-Type"].startswith("text/csv") and ticket.number in csv.content.decode()
    assert payouts.owed(provider) == {}
