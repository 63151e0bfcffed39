"""Our own figures, sent to a partner in `partner.metrics` at linking and monthly: computed from our
records (our goods our partners sold, their goods our shoppers bought, our offered catalog and its
texts in the receiver's language), what we cannot observe of ourselves left missing, never zero;
sent in the activation's transaction through the core's hook, in the settings production uses, and
by the monthly beat."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from crossborder import hooks
from crossborder import services as core
from crossborder.models import OutboxMessage, Partnership, PartnershipEvent
from partners import scoring, selectors
from partners.handlers.activation import send_our_metrics
from partners.services import policy, prospects
from payments.models import ForwardedLine, ForwardedOrder, Order
from tests.aftersales.test_demand_reports import paid_order
from tests.catalog.factories import make_product
from tests.payments.shop_factories import partner_listing, set_up_shop

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def sold_abroad(partnership, quantity, *, days_ago):
    """An order of our goods the partner sold and forwarded us `days_ago`."""
    order = ForwardedOrder.objects.create(
        partnership=partnership,
        reference=uuid.uuid4(),
        number=str(uuid.uuid4())[:8],
        placed_at=timezone.now() - days_ago * DAY,
        received_at=timezone.now() - days_ago * DAY,
    )
    ForwardedLine.objects.create(
        order=order,
        reference=f"{order.number}-1",
        product=uuid.uuid4(),
        sku="OWN-1",
        quantity=quantity,
        fulfilment="direct",
        status="allocated",
    )


def offered(partnership, titles, *, days_ago):
    product = make_product(titles=titles)
    product.export_offers.create(
        partnership=partnership, is_offered=True, export_price=Decimal("10.00"), export_price_currency="CNY"
    )
    product.export_offers.update(created_at=timezone.now() - days_ago * DAY)
    return product


def set_up(partnership, *, days_ago):
    Partnership.objects.filter(pk=partnership.pk).update(created_at=timezone.now() - days_ago * DAY)


@pytest.fixture
def history(settings):
    """A `cn` platform with one partner (`us`, English first) since 90 days: in the last 30 days
    our shoppers bought 3 of its goods and it sold 5 of ours; in the 30 before, 1 and 2. We offer
    three products (two with English texts), one of them offered 40 days ago."""
    set_up_shop(settings)
    listing = partner_listing()
    partnership = listing.partnership
    set_up(partnership, days_ago=90)
    paid_order(listing, 3, email="a@example.com")
    earlier = paid_order(listing, 1, email="b@example.com")
    Order.objects.filter(pk=earlier.pk).update(paid_at=timezone.now() - 40 * DAY)
    sold_abroad(partnership, 5, days_ago=3)
    sold_abroad(partnership, 2, days_ago=45)
    offered(partnership, {"zh-hans": "茶具", "en": "Tea set"}, days_ago=40)
    offered(partnership, {"zh-hans": "茶叶罐", "en": "Tea caddy"}, days_ago=2)
    offered(partnership, {"zh-hans": "扇子"}, days_ago=2)
    return partnership


def test_our_figures_are_computed_from_our_records_in_the_receivers_terms(history):
    figures = selectors.own_figures(partnership=history, policy=policy.current_policy(), now=timezone.now())

    assert figures.as_json() == {
        "sales_to_partner_previous": 2,  # our goods our partners sold
        "sales_to_partner_current": 5,
        "sales_from_partner_previous": 1,  # our partners' goods our shoppers bought
        "sales_from_partner_current": 3,
        "catalog_previous": 1,  # products we had offered 30 days ago
        "catalog_current": 3,
        "catalog_live": 3,
        "catalog_in_our_language": 2,  # with English texts, the partner's first language
    }
    scoring.parse_figures(figures.as_json())  # what the receiver accepts


def test_what_we_cannot_observe_of_ourselves_is_missing_not_zero(history):
    figures = selectors.own_figures(partnership=history, policy=policy.current_policy(), now=timezone.now())

    assert figures.settlements is None and figures.orders_forwarded is None and figures.shoppers_current is None
    assert figures.units_sold is None and figures.reviews is None and figures.local_payment_percent is None
    # The receiver's scores say so: credit has no value at all, every part missing data.
    credit = scoring.compute("credit", figures, policy.current_policy())
    assert credit.value is None and credit.missing == list(scoring.PARTS["credit"])
    potential = scoring.compute("potential", figures, policy.current_policy())
    assert set(potential.missing) == {"shoppers", "sell_through"}
    # 2 -> 5 is +150%: 100; 1 -> 3 is +200%: 100; 1 -> 3 offered: 100.
    assert potential.value == Decimal("100.00")


def test_without_a_partner_language_the_texts_share_is_missing(history):
    history.partner.languages = []
    figures = selectors.own_figures(partnership=history, policy=policy.current_policy(), now=timezone.now())
    assert figures.catalog_in_our_language is None and figures.catalog_live == 3


def test_with_no_earlier_period_growth_is_missing_not_infinite(settings):
    set_up_shop(settings)
    partnership = partner_listing().partnership  # set up just now: no earlier period at all
    figures = selectors.own_figures(partnership=partnership, policy=policy.current_policy(), now=timezone.now())
    assert (figures.sales_to_partner_previous, figures.sales_to_partner_current) == (None, 0)
    assert figures.sales_from_partner_previous is None and figures.catalog_previous is None
    assert not any(key.endswith(("_previous", "_growth_percent")) for key in figures.as_json())
    potential = scoring.compute("potential", figures, policy.current_policy())
    assert potential.value is None and "sales_to_partner" in potential.missing


def test_an_earlier_period_our_records_cover_only_in_part_is_left_out_not_counted_short(history):
    # Our first partnership was set up 40 days ago: the earlier sales period (60 to 30 days ago)
    # is covered for 10 days only, so 2 -> 5 would be growth from a short period; the catalog's
    # earlier moment (30 days ago) is covered and counts.
    set_up(history, days_ago=40)
    figures = selectors.own_figures(partnership=history, policy=policy.current_policy(), now=timezone.now())

    assert (figures.sales_to_partner_previous, figures.sales_to_partner_current) == (None, 5)
    assert (figures.sales_from_partner_previous, figures.sales_from_partner_current) == (None, 3)
    assert (figures.catalog_previous, figures.catalog_current) == (1, 3)
    potential = scoring.compute("potential", figures, policy.current_policy())
    assert set(potential.missing) == {"sales_to_partner", "sales_from_partner", "shoppers", "sell_through"}


def test_a_declined_proposal_is_no_history_of_trade(history):
    from tests.partner_zone.factories import make_partnership

    set_up(history, days_ago=10)
    declined = make_partnership("jp", currency="JPY", country="JP", status=Partnership.Status.ENDED)
    declined.events.create(kind=PartnershipEvent.Kind.DECLINED)
    set_up(declined, days_ago=90)
    figures = selectors.own_figures(partnership=history, policy=policy.current_policy(), now=timezone.now())
    assert figures.sales_to_partner_previous is None and figures.catalog_previous is None


# --- the wiring, in the settings production uses --------------------------------------------------


def test_the_activation_hook_has_the_metrics_subscriber_in_production():
    from crossborder.settings import INSTALLED_APPS as PRODUCTION_APPS

    assert settings.INSTALLED_APPS == PRODUCTION_APPS
    assert send_our_metrics in hooks.all_hooks()["crossborder.partnership_activated"].subscribers


def metrics_to(partnership):
    return list(
        OutboxMessage.objects.filter(partnership=partnership, message_type="partner.metrics").values_list(
            "payload", flat=True
        )
    )


def test_accepting_a_proposal_queues_our_figures_in_the_same_transaction(history):
    history.status = Partnership.Status.PROPOSED
    history.initiated_by = Partnership.Initiator.PARTNER
    history.save(update_fields=["status", "initiated_by"])

    core.accept_partnership(partnership=history)

    *_orders, accepted, metrics = OutboxMessage.objects.filter(partnership=history).order_by("seq")
    assert accepted.message_type == "partnership.accepted" and metrics.message_type == "partner.metrics"
    assert metrics.payload["figures"]["catalog_live"] == 3


def test_a_failure_computing_our_figures_does_not_undo_the_activation(history, monkeypatch):
    history.status = Partnership.Status.PROPOSED
    history.initiated_by = Partnership.Initiator.PARTNER
    history.save(update_fields=["status", "initiated_by"])
    monkeypatch.setattr(selectors, "own_figures", lambda **kwargs: 1 / 0)

    core.accept_partnership(partnership=history)

    history.refresh_from_db()
    assert history.status == Partnership.Status.ACTIVE and metrics_to(history) == []


def test_a_partner_that_linked_through_our_invitation_hears_ours_in_answer_to_its_own(history):
    assert metrics_to(history) == []
    prospects.receive_metrics(partnership=history, payload={"figures": {"catalog_live": 10}})
    prospects.receive_metrics(partnership=history, payload={"figures": {"catalog_live": 12}})
    assert len(metrics_to(history)) == 1  # once: not again on its next figures


def test_the_monthly_beat_sends_our_figures_to_every_live_partner(history):
    from crossborder.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["partners-metrics"]
    assert entry["task"] == "partners.send_metrics" and entry["task"] in app.tasks

    assert app.tasks["partners.send_metrics"].apply().get() == 1
    assert len(metrics_to(history)) == 1


def test_one_partner_refusing_our_figures_does_not_stop_the_others(history, monkeypatch):
    from crossborder.errors import DomainError
    from tests.partner_zone.factories import make_partnership

    other = make_partnership("jp", currency="JPY", country="JP", languages=("ja",))
    real = prospects.send_metrics

    def refuse_for_us(*, partnership, figures):
        if partnership == history:
            raise DomainError("invalid_state", "Messages go only to live partnerships.")
        return real(partnership=partnership, figures=figures)

    monkeypatch.setattr(prospects, "send_metrics", refuse_for_us)

    assert prospects.send_own_metrics_to_partners() == 1
    assert metrics_to(history) == [] and len(metrics_to(other)) == 1
