"""Ops pages and actions, the health endpoints and the generated OpenAPI schema."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from crossborder import services
from crossborder.models import OutboxMessage, Partner, Partnership, SigningKey
from tests.partners import body_json, verify_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(user)
    return client


def make_partners(n):
    for i in range(n):
        partner = Partner.objects.create(
            code=f"p{i}", name=f"Partner {i}", country="US", currency="USD", base_url=f"http://p{i}.example"
        )
        partnership = Partnership.objects.create(
            partner=partner,
            status="active",
            initiated_by="us",
            settlement_currency="USD",
            commission_rate="0.1",
            settlement_cutoff=dt.time(23),
        )
        services.send_notice(partnership=partnership, subject="hello")


def test_partner_status_page_shows_backlog_and_last_error_in_a_fixed_number_of_queries(
    staff, django_assert_max_num_queries
):
    make_partners(3)
    OutboxMessage.objects.filter(partnership__partner__code="p1").update(last_error="HTTP 503: down")
    with django_assert_max_num_queries(8):
        small = staff.get("/admin/partner-status/")
    make_partners_more = 6
    for i in range(3, 3 + make_partners_more):
        Partner.objects.create(
            code=f"p{i}", name=f"Partner {i}", country="US", currency="USD", base_url="http://x.example"
        )
    with django_assert_max_num_queries(8):
        large = staff.get("/admin/partner-status/")

    assert small.status_code == large.status_code == 200
    html = large.content.decode()
    assert html.count('class="partner-row"') == 9
    assert "HTTP 503: down" in html


def test_partner_status_page_needs_staff_login(client):
    response = client.get("/admin/partner-status/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_action_suspends_and_tells_the_partner(staff, remote):
    response = staff.post(
        "/admin/crossborder/partnership/",
        {"action": "suspend", "_selected_action": [remote.partnership.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Partnership.objects.get(pk=remote.partnership.pk).status == "suspended"
    assert OutboxMessage.objects.get().message_type == "partnership.suspended"


def test_admin_action_refusal_is_shown_and_changes_nothing(staff, remote):
    response = staff.post(
        "/admin/crossborder/partnership/",
        {"action": "accept", "_selected_action": [remote.partnership.pk]},
        follow=True,
    )
    assert "Cannot accept" in response.content.decode()
    assert OutboxMessage.objects.count() == 0


def test_the_partnership_list_has_no_resume_without_a_reason(staff, remote):
    """Resuming asks why and records who (the compliance watch, manage.py resume_partner): the
    partnership list offers no bare resume, and posting one changes nothing."""
    remote.partnership.status = Partnership.Status.SUSPENDED
    remote.partnership.save(update_fields=["status"])
    page = staff.get("/admin/crossborder/partnership/").content.decode()
    assert 'value="suspend"' in page and 'value="resume"' not in page
    staff.post("/admin/crossborder/partnership/", {"action": "resume", "_selected_action": [remote.partnership.pk]})
    assert Partnership.objects.get(pk=remote.partnership.pk).status == "suspended"
    assert OutboxMessage.objects.count() == 0


def test_admin_action_rotates_keys(staff, remote, own_key):
    staff.post("/admin/crossborder/signingkey/", {"action": "rotate_keys", "_selected_action": [own_key.pk]})
    assert SigningKey.objects.filter(status="next").count() == 1
    assert OutboxMessage.objects.get().message_type == services.KEYS_UPDATED


def test_admin_lists_render(staff, remote):
    services.send_notice(partnership=remote.partnership, subject="hello")
    for url in [
        "/admin/crossborder/partner/",
        f"/admin/crossborder/partner/{remote.partner.pk}/change/",
        "/admin/crossborder/partnership/",
        f"/admin/crossborder/partnership/{remote.partnership.pk}/change/",
        "/admin/crossborder/outboxmessage/",
        "/admin/crossborder/inboxmessage/",
        "/admin/crossborder/signingkey/",
        "/admin/crossborder/partnernotice/",
        "/admin/crossborder/partnershipinvitation/",
    ]:
        assert staff.get(url).status_code == 200, url


def test_public_health_reports_database_and_backlog(client, remote):
    services.send_notice(partnership=remote.partnership, subject="hello")
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "outbox_backlog": 1}


def test_signed_partner_health_reports_what_waits_for_the_caller(api, remote):
    services.send_notice(partnership=remote.partnership, subject="hello")
    prepared = remote.sign("GET", "/partner-api/v1/health/")

    response = remote.send(api, prepared)

    assert response.status_code == 200, response.content
    assert body_json(response)["backlog_to_you"] == 1
    assert verify_reply(response)


def test_schema_describes_the_partner_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/partner-api/v1/messages/", "/partner-api/v1/partnerships/", "/partner-api/v1/health/"} <= set(
        schema["paths"]
    )
    assert "partnerSignature" in schema["components"]["securitySchemes"]
    assert client.get("/api/docs/").status_code == 200
