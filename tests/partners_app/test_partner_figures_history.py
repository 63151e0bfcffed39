"""A current partner's growth is scored only over periods the partnership covers: our records of a
partnership younger than two growth periods hold a partial earlier period, and its figure would
score invented growth (what our own partner.metrics already avoid, tests/partners_app/test_own_metrics.py)."""

import datetime as dt

import pytest

from crossborder.models import Partnership
from partners import scoring, selectors
from partners.services import policy
from tests.aftersales.test_demand_reports import paid_order
from tests.payments.shop_factories import partner_listing, set_up_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(settings):
    set_up_shop(settings)
    return partner_listing(variants=[{"sku": "US-LAMP", "attributes": {}, "is_active": True}])


def figures_at_age(listing, periods):
    rules = policy.current_policy()
    now = dt.datetime.now(dt.UTC)
    created = now - dt.timedelta(days=rules.growth_days) * periods
    Partnership.objects.filter(pk=listing.partnership.pk).update(created_at=created)
    listing.partnership.refresh_from_db()
    return selectors.partner_figures(partnership=listing.partnership, policy=rules, now=now), rules


def test_a_partnership_younger_than_two_periods_has_no_earlier_figures_and_no_growth_score(listing):
    paid_order(listing, 2, email="a@example.com")

    figures, rules = figures_at_age(listing, 1.5)

    assert figures.sales_to_partner_current == 2
    assert (figures.sales_to_partner_previous, figures.sales_from_partner_previous, figures.shoppers_previous) == (
        None,
        None,
        None,
    )
    assert figures.catalog_previous is not None  # it covers one whole period: the catalog a period ago
    growth = {part.key: part for part in scoring.compute("potential", figures, rules).parts}
    assert all(growth[key].value is None for key in ("sales_to_partner", "sales_from_partner", "shoppers"))


def test_a_partnership_younger_than_one_period_has_no_earlier_catalog_either(listing):
    figures, _rules = figures_at_age(listing, 0.5)

    assert figures.catalog_previous is None and figures.sales_to_partner_previous is None


def test_a_partnership_older_than_two_periods_keeps_its_earlier_figures(listing):
    figures, _rules = figures_at_age(listing, 3)

    assert figures.sales_to_partner_previous == 0 and figures.catalog_previous is not None
