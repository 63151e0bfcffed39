"""A merchant's team: ops invite by a one-time link, the invitee sets a password and joins; roles open
pages (the owner every one) and a member without the role gets a 403 naming it; the last owner
stays; owners and finance enrol an authenticator and give a code at each sign-in. Every refusal
writes nothing."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog import team
from catalog.merchant_views import merchant_required
from catalog.models import MerchantInvitation, MerchantMembership
from catalog.services import CatalogError
from crossborder.models import Notification
from tests.partners import table_counts

from .factories import TEST_PASSWORD, make_merchant, make_user

pytestmark = pytest.mark.django_db

TEAM = "/en/merchant/team/"
CATALOG_PAGES = ["/en/merchant/", "/en/merchant/import/", "/en/merchant/shop/", "/en/merchant/abroad/"]


def member(merchant, role, username=None):
    user = make_user(username=username, email=f"{username or 'x'}@example.com")
    MerchantMembership.objects.create(merchant=merchant, user=user, role=role)
    return user


def enrol(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code_of(device):
    return f"{TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits).token():06d}"


def sign_in(client, user, *, verified=True):
    """Logged in; for owners and finance, past the second factor too (as after the code page)."""
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def merchant():
    return make_merchant(name="Panda Baby")


@pytest.fixture
def owner(merchant):
    return member(merchant, "owner", "olive")


def invitation_link(invitation_row):
    note = Notification.objects.get(key=f"merchant-invitation:{invitation_row.pk}")
    return note, note.context["url"].split("://", 1)[1].split("/", 1)[1]


# --- invitations ----------------------------------------------------------------------------------


def test_ops_invite_an_owner_from_the_admin_and_the_mail_carries_a_one_time_link(client, merchant):
    admin = get_user_model().objects.create_superuser("ops", "ops@example.com", TEST_PASSWORD)
    client.force_login(admin)
    response = client.post(
        "/admin/catalog/merchantinvitation/add/",
        {"merchant": merchant.pk, "email": "Lin@Example.com", "role": "owner"},
    )
    assert response.status_code == 302
    invitation = MerchantInvitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == ("lin@example.com", "owner", "ops")
    note, path = invitation_link(invitation)
    assert note.to == "lin@example.com" and note.template == "merchant_invitation"
    assert path.startswith("merchant/invitation/")
    assert team._token_hash(path.rstrip("/").rsplit("/", 1)[1]) == invitation.token_hash  # only the hash is kept


def test_the_invitee_sets_a_password_and_becomes_the_merchants_owner(client, merchant):
    invitation = team.invite(merchant=merchant, email="lin@example.com", role="owner", invited_by="ops")
    _note, path = invitation_link(invitation)
    assert client.get(f"/{path}").status_code == 200
    response = client.post(f"/{path}", {"password1": "a-Long-pass-9931", "password2": "a-Long-pass-9931"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="lin@example.com")
    assert user.check_password("a-Long-pass-9931")
    assert MerchantMembership.objects.get(merchant=merchant, user=user).role == "owner"
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # An owner must enrol a second factor before the area opens.
    assert client.get("/en/merchant/")["Location"].startswith("/en/merchant/two-factor/setup/")


def test_a_reused_invitation_link_is_refused_and_writes_nothing(client, merchant):
    invitation = team.invite(merchant=merchant, email="lin@example.com", role="catalog")
    _note, path = invitation_link(invitation)
    client.post(f"/{path}", {"password1": "a-Long-pass-9931", "password2": "a-Long-pass-9931"})
    client.logout()
    before = table_counts()
    response = client.post(f"/{path}", {"password1": "other-Pass-4471", "password2": "other-Pass-4471"})
    assert response.status_code == 410
    assert "has been used already" in response.content.decode()
    assert table_counts() == before


def test_an_expired_invitation_link_is_refused_and_writes_nothing(client, merchant):
    invitation = team.invite(merchant=merchant, email="lin@example.com", role="catalog")
    MerchantInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    _note, path = invitation_link(invitation)
    before = table_counts()
    response = client.post(f"/{path}", {"password1": "a-Long-pass-9931", "password2": "a-Long-pass-9931"})
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert table_counts() == before
    assert client.get("/en/merchant/invitation/not-a-token/").status_code == 410


def test_a_weak_password_through_the_link_is_refused_and_the_link_still_works(client, merchant):
    invitation = team.invite(merchant=merchant, email="lin@example.com", role="catalog")
    _note, path = invitation_link(invitation)
    response = client.post(f"/{path}", {"password1": "123", "password2": "123"})
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="lin@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_inviting_with_a_role_that_does_not_exist_is_refused_and_writes_nothing(client, merchant, owner):
    sign_in(client, owner)
    response = client.post(f"{TEAM}invite/", {"email": "sam@example.com", "role": "admin"})
    assert response.status_code == 400
    assert not MerchantInvitation.objects.exists()
    assert not Notification.objects.exists()
    with pytest.raises(CatalogError) as refused:
        team.invite(merchant=merchant, email="sam@example.com", role="admin")
    assert refused.value.code == "unknown_role"
    assert not MerchantInvitation.objects.exists()


def test_the_owner_invites_staff_from_the_team_page(client, merchant, owner):
    sign_in(client, owner)
    response = client.post(f"{TEAM}invite/", {"email": "sam@example.com", "role": "fulfilment"})
    assert response.status_code == 302
    invitation = MerchantInvitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == ("sam@example.com", "fulfilment", "olive")
    page = client.get(TEAM).content.decode()
    assert "sam@example.com" in page


# --- roles --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "catalog_pages", "team_page"),
    [("owner", 200, 200), ("catalog", 200, 403), ("fulfilment", 403, 403), ("finance", 403, 403)],
)
def test_each_role_opens_its_pages_and_gets_a_403_naming_the_role_elsewhere(
    client, merchant, role, catalog_pages, team_page
):
    sign_in(client, member(merchant, role, f"m-{role}"))
    for path in CATALOG_PAGES:
        response = client.get(path)
        assert response.status_code == catalog_pages, path
        if catalog_pages == 403:
            assert "open to the role: catalog" in response.content.decode()
    response = client.get(TEAM)
    assert response.status_code == team_page
    if team_page == 403:
        assert "open to the role: owner" in response.content.decode()


def _call(view, user, merchant):
    request = RequestFactory().get("/en/merchant/orders/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = user
    request.user.is_verified = lambda: True
    return view(request)


@pytest.mark.parametrize(("role", "status"), [("fulfilment", 200), ("owner", 200), ("catalog", 403), ("finance", 403)])
def test_the_decorator_takes_the_roles_a_page_needs(merchant, role, status):
    @merchant_required(roles=("fulfilment",))
    def orders(request):
        return HttpResponse(request.membership.role)

    user = member(merchant, role, f"d-{role}")
    enrol(user)
    assert _call(orders, user, merchant).status_code == status


def test_the_plain_decorator_still_opens_to_any_role(merchant):
    @merchant_required
    def anything(request):
        return HttpResponse("ok")

    assert _call(anything, member(merchant, "fulfilment", "plain"), merchant).status_code == 200


def test_a_page_asking_for_a_role_that_does_not_exist_fails_at_start_up():
    with pytest.raises(ImproperlyConfigured):
        merchant_required(roles=("shipping",))


def test_the_last_owner_cannot_be_removed_or_demoted_and_nothing_changes(client, merchant, owner):
    sign_in(client, owner)
    mine = MerchantMembership.objects.get(user=owner)
    client.post(f"{TEAM}{mine.pk}/role/", {"role": "catalog"})
    client.post(f"{TEAM}{mine.pk}/remove/")
    mine.refresh_from_db()
    assert mine.role == "owner"
    page = client.get(TEAM).content.decode()
    assert "The last owner cannot be removed" in page
    with pytest.raises(CatalogError) as refused:
        team.remove_member(merchant=merchant, member_id=mine.pk)
    assert refused.value.code == "last_owner"
    assert MerchantMembership.objects.filter(pk=mine.pk, role="owner").exists()


def test_with_a_second_owner_the_first_may_step_down(client, merchant, owner):
    second = member(merchant, "owner", "otto")
    sign_in(client, owner)
    mine = MerchantMembership.objects.get(user=owner)
    client.post(f"{TEAM}{mine.pk}/role/", {"role": "finance"})
    assert MerchantMembership.objects.get(pk=mine.pk).role == "finance"
    assert MerchantMembership.objects.get(user=second).role == "owner"


def test_changing_to_a_role_that_does_not_exist_is_refused_and_changes_nothing(client, merchant, owner):
    staff = member(merchant, "catalog", "cathy")
    sign_in(client, owner)
    row = MerchantMembership.objects.get(user=staff)
    response = client.post(f"{TEAM}{row.pk}/role/", {"role": "superuser"}, follow=True)
    assert "is not a role" in response.content.decode()
    row.refresh_from_db()
    assert row.role == "catalog"


def test_an_owner_cannot_touch_another_merchants_member(client, merchant, owner):
    other = make_merchant(name="Zebra Toys")
    stranger = member(other, "catalog", "zed")
    row = MerchantMembership.objects.get(user=stranger)
    sign_in(client, owner)
    client.post(f"{TEAM}{row.pk}/remove/")
    assert MerchantMembership.objects.filter(pk=row.pk).exists()


def test_the_team_page_runs_a_fixed_number_of_queries(client, merchant, owner, django_assert_max_num_queries):
    for n in range(6):
        member(merchant, "catalog", f"staff{n}")
    sign_in(client, owner)
    with django_assert_max_num_queries(14):
        assert client.get(TEAM).status_code == 200


# --- two-factor sign-in --------------------------------------------------------------------------------


def test_an_owner_enrols_with_the_qr_code_and_gets_backup_codes(client, merchant, owner):
    sign_in(client, owner, verified=False)
    response = client.get("/en/merchant/")
    assert response["Location"].startswith("/en/merchant/two-factor/setup/")
    page = client.get("/en/merchant/two-factor/setup/").content.decode()
    assert "<svg" in page and "<script" not in page.split("<main", 1)[-1]
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    response = client.post("/en/merchant/two-factor/setup/", {"code": code_of(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = StaticToken.objects.filter(device__user=owner)
    assert codes.count() == 10
    assert all(code.token in response.content.decode() for code in codes)
    assert client.get("/en/merchant/").status_code == 200


def test_a_wrong_enrolment_code_is_refused_and_confirms_nothing(client, merchant, owner):
    sign_in(client, owner, verified=False)
    client.get("/en/merchant/two-factor/setup/")
    response = client.post("/en/merchant/two-factor/setup/", {"code": "000000"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    assert not StaticToken.objects.exists()
    assert client.get("/en/merchant/").status_code == 302


def test_finance_gives_a_code_at_each_sign_in_and_a_wrong_one_is_refused(client, merchant):
    finance = member(merchant, "finance", "fiona")
    device = enrol(finance)
    response = client.post("/en/merchant/login/", {"username": "fiona", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/en/merchant/two-factor/")
    response = client.post("/en/merchant/two-factor/", {"code": "123456"})
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    # Right after a wrong code the next is held back (the attempts are counted on the device).
    response = client.post("/en/merchant/two-factor/", {"code": code_of(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    response = client.post("/en/merchant/two-factor/", {"code": code_of(device)})
    assert response.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    client.logout()
    client.post("/en/merchant/login/", {"username": "fiona", "password": TEST_PASSWORD})
    assert client.get("/en/merchant/start/").status_code == 302
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_backup_code_signs_in_once(client, merchant, owner):
    sign_in(client, owner, verified=False)
    client.get("/en/merchant/two-factor/setup/")
    device = TOTPDevice.objects.get(user=owner)
    client.post("/en/merchant/two-factor/setup/", {"code": code_of(device)})
    backup = StaticToken.objects.filter(device__user=owner).first().token
    client.logout()
    client.force_login(owner)
    assert client.post("/en/merchant/two-factor/", {"code": backup}).status_code == 302
    client.logout()
    client.force_login(owner)
    assert client.post("/en/merchant/two-factor/", {"code": backup}).status_code == 400


def test_catalog_staff_need_no_second_factor(client, merchant):
    sign_in(client, member(merchant, "catalog", "cat"), verified=False)
    assert client.get("/en/merchant/").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_members_from_before_the_roles_become_owners():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from catalog import taxonomy
    from catalog.models import Category

    executor = MigrationExecutor(connection)
    executor.migrate([("catalog", "0011_merchant_ships_itself")])
    old = executor.loader.project_state([("catalog", "0011_merchant_ships_itself")]).apps
    user = old.get_model("auth", "User").objects.create(username="early")
    shop = old.get_model("catalog", "Merchant").objects.create(name="Early Shop", slug="early")
    shop.users.add(user)
    executor.loader.build_graph()
    executor.migrate([("catalog", "0012_merchant_team_roles_invitations")])
    assert MerchantMembership.objects.get(merchant_id=shop.pk, user_id=user.pk).role == "owner"
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rest of the schema, for later tests
    taxonomy.load_rows(Category, taxonomy.read_rows())  # a transaction test flushes the taxonomy
