"""Ops reset a merchant member's lost two-factor sign-in from the admin: the authenticator and the
backup codes are gone, the member enrols again at the next page that needs the second factor,
the reset is in the admin's history, and resetting one who never enrolled is refused."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog import two_factor
from catalog.models import MerchantMembership
from catalog.services import CatalogError
from tests.catalog.factories import make_merchant

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    merchant = make_merchant()
    user = get_user_model().objects.create_user("finance1", "f@example.com", "pw-strong-1")
    merchant.users.add(user, through_defaults={"role": "finance"})
    TOTPDevice.objects.create(user=user, name="merchant area", confirmed=True)
    StaticDevice.objects.create(user=user, name="merchant area").token_set.create(token="abcd1234")
    return MerchantMembership.objects.get(user=user)


@pytest.fixture
def ops(client):
    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "pw"))
    return client


def test_the_reset_removes_the_authenticator_and_the_backup_codes(member):
    assert two_factor.reset(member.user) == 3  # the device, the backup device and its code
    assert not two_factor.is_enrolled(member.user)
    assert not StaticDevice.objects.filter(user=member.user).exists()


def test_resetting_a_member_who_never_enrolled_is_refused(member):
    two_factor.reset(member.user)
    with pytest.raises(CatalogError, match="no two-factor sign-in to reset"):
        two_factor.reset(member.user)


def test_ops_see_who_enrolled_and_reset_from_the_team_members_list(ops, member, settings):
    settings.LANGUAGE_CODE = "en"
    page = ops.get("/admin/catalog/merchantmembership/").content.decode()
    assert "finance1" in page and 'alt="True"' in page

    response = ops.post(
        "/admin/catalog/merchantmembership/",
        {"action": "reset_two_factor", "_selected_action": [member.pk]},
        follow=True,
    )
    assert "Two-factor sign-in reset for 1 member" in response.content.decode()
    assert not two_factor.is_enrolled(member.user)
    assert LogEntry.objects.filter(object_id=str(member.pk), change_message="Two-factor sign-in reset").exists()

    again = ops.post(
        "/admin/catalog/merchantmembership/",
        {"action": "reset_two_factor", "_selected_action": [member.pk]},
        follow=True,
    )
    assert "finance1 has no two-factor sign-in to reset." in again.content.decode()


def test_the_members_list_runs_a_fixed_number_of_queries(ops, member, django_assert_max_num_queries):
    for n in range(5):
        user = get_user_model().objects.create_user(f"m{n}", f"m{n}@example.com", "pw-strong-1")
        member.merchant.users.add(user, through_defaults={"role": "catalog"})
    with django_assert_max_num_queries(12):
        assert ops.get("/admin/catalog/merchantmembership/").status_code == 200
