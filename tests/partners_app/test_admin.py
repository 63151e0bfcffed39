"""The admin of partner scores and compliance: the policy form refuses weights that do not sum to
100 with the reason; a prospect's impossible figures are refused on its form; the side-by-side page
shows partners and prospects in a fixed number of queries; resuming from the compliance watch is
recorded with the staff user and the reason; agreements keep their history."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from crossborder import services as core
from crossborder.models import Partnership, PartnershipEvent
from partners import scoring
from partners.models import ComplianceWatch, PartnerScore, Prospect
from partners.services import prospects, scores
from partners.services.policy import current_policy
from tests.partners import api, own_key, remote, table_counts  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_admin(settings):
    settings.LANGUAGE_CODE = "en"  # the admin speaks the staff's language, else the platform's


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(user)
    client.user = user
    return client


def policy_form(**changes):
    data = {
        "credit_weights": '{"settlement_on_time": 100}',
        "potential_weights": str(scoring.DEFAULT_WEIGHTS["potential"]).replace("'", '"'),
        "localization_weights": str(scoring.DEFAULT_WEIGHTS["localization"]).replace("'", '"'),
        "window_days": 90,
        "growth_days": 30,
        "full_growth_percent": 50,
        "max_return_rate_percent": 20,
        "warn_after": 2,
        "suspend_after": 3,
    }
    return {**data, **changes}


def test_weights_that_miss_parts_are_refused_on_the_policy_form_and_nothing_is_saved(staff):
    policy = current_policy()
    before = table_counts()
    response = staff.post(reverse("admin:partners_scoringpolicy_change", args=[policy.pk]), policy_form())
    assert response.status_code == 200
    assert "Give a weight for each part" in response.content.decode()
    assert table_counts() == before


def test_a_prospect_with_a_negative_count_is_refused_on_its_form(staff):
    response = staff.post(
        reverse("admin:partners_prospect_add"),
        {"code": "kr", "name": "Hanbit Market", "country": "KR", "figures": '{"settlements": -2}'},
    )
    assert response.status_code == 200
    assert "settlements must be a whole number from 0" in response.content.decode()
    assert not Prospect.objects.exists()


def test_the_side_by_side_page_shows_partners_and_prospects_in_a_fixed_number_of_queries(
    staff,
    remote,  # noqa: F811
    django_assert_max_num_queries,
):
    for n in range(5):
        prospects.save_prospect(
            code=f"p{n}", name=f"Prospect {n}", figures={"settlements": 4, "settlements_late": n % 4}
        )
    scores.score_partners()
    with django_assert_max_num_queries(12):
        response = staff.get(reverse("admin:partners_side_by_side"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="us"' in page and 'data-code="p4"' in page
    score = PartnerScore.objects.filter(partner=remote.partner, kind="credit").latest("computed_at")
    detail = staff.get(reverse("admin:partners_partnerscore_change", args=[score.pk])).content.decode()
    assert "missing data" in detail and "settlement statements on time" in detail


def test_resuming_from_the_compliance_watch_records_the_staff_user_and_reason(staff, remote):  # noqa: F811
    core.suspend_partnership(partnership=remote.partnership, reason="automatic: test")
    watch = ComplianceWatch.objects.create(partnership=remote.partnership)
    response = staff.post(
        reverse("admin:partners_compliancewatch_change", args=[watch.pk]),
        {"no_auto_suspend_until": "", "override_reason": "", "resume_reason": "Paid by wire"},
    )
    assert response.status_code == 302
    remote.partnership.refresh_from_db()
    assert remote.partnership.status == Partnership.Status.ACTIVE
    event = remote.partnership.events.get(kind=PartnershipEvent.Kind.RESUMED)
    assert event.actor == staff.user and event.detail["reason"] == "Paid by wire"


def test_agreement_changes_keep_their_history_with_who_made_them(staff, remote):  # noqa: F811
    response = staff.post(
        reverse("admin:crossborder_partnership_changelist"),
        {"action": "suspend", "_selected_action": [remote.partnership.pk]},
    )
    assert response.status_code == 302
    history = remote.partnership.history.order_by("history_date")
    assert [h.status for h in history] == ["active", "suspended"]
    assert history.last().history_user == staff.user
    page = staff.get(reverse("admin:crossborder_partnership_history", args=[remote.partnership.pk]))
    assert page.status_code == 200


def test_a_partner_message_changing_the_agreement_is_kept_without_a_user(remote, api):  # noqa: F811
    response = remote.post_message(api, "partnership.suspended", {"reason": "audit"})
    assert response.status_code == 200, response.content
    assert remote.partnership.history.latest("history_date").history_user is None
