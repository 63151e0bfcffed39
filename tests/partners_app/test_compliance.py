"""Agreement compliance on a known settlement history: each statement that came late is a breach
recorded with its evidence and sent to the partner; the policy's thresholds warn, then suspend the
partner zone automatically; ops hold suspension off or resume, recorded with who and why; the
credit score falls with the history."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from crossborder.models import OutboxMessage, Partnership, PartnershipEvent
from partners import selectors
from partners.errors import PartnersError
from partners.models import ComplianceBreach, ComplianceWatch
from partners.services import compliance, scores
from payments.ledger.models import PartnerStatementPart, SettlementBatch
from tests.partners import own_key, remote, table_counts  # noqa: F401

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def close(partnership, days_ago, *, statement_after_hours=None):
    """Our batch of the period that ended `days_ago` days before NOW at 23:00, and the partner's
    statement `statement_after_hours` after the cut-off (None: never)."""
    period_end = (NOW - dt.timedelta(days=days_ago)).replace(hour=23, minute=0)
    batch = SettlementBatch.objects.create(
        partnership=partnership, period_end=period_end, currency="USD", net_amount=Decimal(0)
    )
    if statement_after_hours is not None:
        PartnerStatementPart.objects.create(
            partnership=partnership,
            period_end=period_end,
            currency="USD",
            part=1,
            parts=1,
            batch_reference=uuid.uuid4(),
            net_amount=Decimal(0),
            received_at=period_end + dt.timedelta(hours=statement_after_hours),
        )
    return batch


def breach_messages():
    return list(OutboxMessage.objects.filter(message_type="compliance.breach").values_list("payload", flat=True))


@pytest.fixture
def ops(db):
    return get_user_model().objects.create_user("ops", password="x", is_staff=True)


def test_late_statements_are_breaches_with_evidence_sent_to_the_partner_then_a_warning(remote):  # noqa: F811
    partnership = remote.partnership
    close(partnership, 6, statement_after_hours=2)  # on time (24 hours agreed)
    close(partnership, 5, statement_after_hours=30)  # late
    close(partnership, 4)  # never came

    result = compliance.check_partnership(partnership=partnership, now=NOW)

    assert len(result["breaches"]) == 2 and result["warned"] and not result["suspended"]
    rows = selectors.breach_rows(partner="us")
    assert [(row["term"], row["severity"]) for row in rows].count(("settlement_on_time", "breach")) == 2
    assert ("breach_threshold", "warning") in [(row["term"], row["severity"]) for row in rows]
    never = next(row for row in rows if "not received" in row["evidence"])
    assert never["partner"] == "us" and never["partner_name"] == "Trailhead Goods"
    sent = breach_messages()
    assert sorted(p["severity"] for p in sent) == ["breach", "breach", "warning"]
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.ACTIVE


def test_checking_again_records_and_sends_nothing_new(remote):  # noqa: F811
    close(remote.partnership, 4)
    compliance.check_partnership(partnership=remote.partnership, now=NOW)
    before = table_counts()
    again = compliance.check_partnership(partnership=remote.partnership, now=NOW + dt.timedelta(hours=1))
    assert again["breaches"] == [] and table_counts() == before


def test_the_third_breach_suspends_the_zone_automatically_and_the_partner_is_told(remote):  # noqa: F811
    partnership = remote.partnership
    for days in (5, 4, 3):
        close(partnership, days)

    result = compliance.check_partnership(partnership=partnership, now=NOW)

    partnership.refresh_from_db()
    assert result["suspended"] and partnership.status == Partnership.Status.SUSPENDED
    assert "automatic" in partnership.status_reason
    assert OutboxMessage.objects.filter(message_type="partnership.suspended").count() == 1
    assert ComplianceWatch.objects.get(partnership=partnership).auto_suspended_at == NOW


def test_an_override_holds_suspension_off_until_its_moment_but_breaches_are_still_recorded(remote, ops):  # noqa: F811
    partnership = remote.partnership
    compliance.hold_off_auto_suspension(
        partnership=partnership,
        until=NOW + dt.timedelta(days=2),
        reason="Peak season, agreed by phone",
        actor=ops,
        now=NOW - dt.timedelta(days=1),
    )
    for days in (5, 4, 3):
        close(partnership, days)

    held = compliance.check_partnership(partnership=partnership, now=NOW)
    partnership.refresh_from_db()
    assert not held["suspended"] and partnership.status == Partnership.Status.ACTIVE
    assert ComplianceBreach.objects.filter(severity="breach").count() == 3

    later = compliance.check_partnership(partnership=partnership, now=NOW + dt.timedelta(days=3))
    partnership.refresh_from_db()
    assert later["suspended"] and partnership.status == Partnership.Status.SUSPENDED


def test_resuming_is_recorded_with_who_and_why_and_old_breaches_no_longer_count(remote, ops):  # noqa: F811
    partnership = remote.partnership
    for days in (5, 4, 3):
        close(partnership, days)
    compliance.check_partnership(partnership=partnership, now=NOW)

    compliance.resume_partner(partnership=partnership, reason="Statements sent by e-mail", actor=ops, now=NOW)

    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.ACTIVE
    event = partnership.events.filter(kind=PartnershipEvent.Kind.RESUMED).get()
    assert event.actor == ops and event.detail["reason"] == "Statements sent by e-mail"
    again = compliance.check_partnership(partnership=partnership, now=NOW + dt.timedelta(minutes=5))
    partnership.refresh_from_db()
    assert not again["suspended"] and partnership.status == Partnership.Status.ACTIVE


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_resuming_without_a_reason_is_refused_and_changes_nothing(remote, ops, reason):  # noqa: F811
    for days in (5, 4, 3):
        close(remote.partnership, days)
    compliance.check_partnership(partnership=remote.partnership, now=NOW)
    before = table_counts()
    with pytest.raises(PartnersError) as refused:
        compliance.resume_partner(partnership=remote.partnership, reason=reason, actor=ops)
    assert refused.value.field == "reason" and table_counts() == before


def test_resuming_an_active_partnership_is_refused(remote, ops):  # noqa: F811
    before = table_counts()
    with pytest.raises(PartnersError) as refused:
        compliance.resume_partner(partnership=remote.partnership, reason="why not", actor=ops)
    assert refused.value.code == "invalid_state" and table_counts() == before


@pytest.mark.parametrize(
    "until", [NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=400), dt.datetime(2026, 12, 1, 12, 0)]
)
def test_an_override_in_the_past_too_far_or_without_time_zone_is_refused(remote, ops, until):  # noqa: F811
    before = table_counts()
    with pytest.raises(PartnersError) as refused:
        compliance.hold_off_auto_suspension(partnership=remote.partnership, until=until, reason="r", actor=ops, now=NOW)
    assert refused.value.field == "until" and table_counts() == before


def test_credit_falls_with_late_statements_by_the_hand_computed_share(remote):  # noqa: F811
    partnership = remote.partnership
    close(partnership, 6, statement_after_hours=2)
    scores.score_partners(now=NOW)
    close(partnership, 5, statement_after_hours=30)
    close(partnership, 4)
    close(partnership, 3)
    scores.score_partners(now=NOW + dt.timedelta(minutes=1))

    credit = [row for row in selectors.score_history(partner="us") if row["kind"] == "credit"]
    # First: 1 of 1 on time -> 100, the only credit part with data. Then 1 of 4 on time -> 25.
    assert [row["value"] for row in credit] == [Decimal("100.00"), Decimal("25.00")]
    assert all(row["partner_name"] == "Trailhead Goods" for row in credit)


def test_score_history_and_breach_rows_read_in_a_fixed_number_of_queries(remote, django_assert_max_num_queries):  # noqa: F811
    for days in (5, 4):
        close(remote.partnership, days)
    compliance.check_partnership(partnership=remote.partnership, now=NOW)
    scores.score_partners(now=NOW)
    scores.score_partners(now=NOW + dt.timedelta(hours=1))
    with django_assert_max_num_queries(1):
        assert len(selectors.score_history(since=NOW - dt.timedelta(days=1))) == 6
    with django_assert_max_num_queries(1):
        assert len(selectors.breach_rows(partner=remote.partner)) == 3
    assert timezone.is_aware(selectors.breach_rows()[0]["observed_at"])


def test_the_decision_commands_refuse_an_unknown_staff_user_or_partner(db):
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No staff user 'nobody'"):
        call_command("resume_partner", "--partner", "jp", "--reason", "x", "--by", "nobody")
    get_user_model().objects.create_user("ops", is_staff=True)
    with pytest.raises(CommandError, match="No active or suspended partnership with partner 'nowhere'"):
        call_command(
            "hold_off_suspension", "--partner", "nowhere", "--until", "2027-01-01T00:00:00+00:00", "--reason", "x",
            "--by", "ops",
        )  # fmt: skip
