"""A merchant's owner in a real browser, in both languages, at desktop width and on a phone: opens
the invitation link and sets a password, enrols an authenticator from the QR code (the code typed
is computed from the device's key), keeps the backup codes, invites a colleague on the team page
and is refused demoting itself as the last owner; then reads the goods-abroad page filled from a
partner's demand and stock reports."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog import services, taxonomy, team
from catalog.models import Category, MerchantMembership
from crossborder import messages
from crossborder import services as platform_services
from crossborder.models import Notification, Partner, Partnership
from logistics.models import GoodsAbroad
from tests.catalog.factories import make_merchant, make_product, make_user, money

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 800}
PASSWORD = "Panda-owner-2291"


@pytest.fixture(autouse=True)
def shared_taxonomy():
    taxonomy.load_rows(Category, taxonomy.read_rows())


def partnership(code, name, country, currency):
    partner = Partner.objects.create(
        code=code, name=name, country=country, currency=currency, base_url=f"http://{code}.invalid"
    )
    return Partnership.objects.create(
        partner=partner,
        status="active",
        initiated_by="us",
        settlement_currency=currency,
        commission_rate="0.08",
        settlement_cutoff=dt.time(23),
    )


@pytest.fixture
def shop(settings, tmp_path):
    settings.SIGNING_KEY_FILE = tmp_path / "key.pem"
    platform_services.ensure_signing_key()
    merchant = make_merchant(name="Panda Baby")
    services.set_shop_names(merchant=merchant, names={"en": "Panda Baby", "zh-hans": "熊猫宝贝"})
    for username, role in (("wei@pandababy.example", "catalog"), ("fang@pandababy.example", "fulfilment")):
        MerchantMembership.objects.create(merchant=merchant, user=make_user(username, email=username), role=role)
    us = partnership("us", "Trailhead Goods", "US", "USD")
    partnership("jp", "Sakura Mall", "JP", "JPY")
    bottle = make_product(merchant, code="BOTTLE-240")
    spoon = make_product(merchant, code="SPOON-SET")
    for product in (bottle, spoon):
        for target in Partnership.objects.all():
            services.set_export_offer(
                merchant=merchant,
                product=product,
                partnership=target,
                is_offered=True,
                export_price=money("89.00"),
                direct_stock=20,
            )
    skus = list(bottle.variants.values_list("sku", flat=True))
    kind = messages.received("demand.report")
    payload = {
        "day": (timezone.now() - dt.timedelta(days=1)).date().isoformat(),
        "window_days": 30,
        "min_shoppers": 3,
        "few_results": 2,
        "searches": [
            {"query": "glass baby bottle 300ml", "searches": 14, "shoppers": 11, "results": 0, "category": None},
            {"query": "奶瓶刷", "searches": 6, "shoppers": 5, "results": 1, "category": None},
        ],
        "products": [
            {
                "product": str(uuid.uuid4()),
                "skus": skus,
                "title": "Glass baby bottle",
                "views": 312,
                "viewers": 188,
                "orders": 23,
                "units": 27,
                "returns": [{"sku": skus[0], "reason": "wrong_size", "units": 3, "shoppers": 3}],
            }
        ],
    }
    serializer = kind.payload_serializer(data=payload)
    serializer.is_valid(raise_exception=True)
    kind.handler(partnership=us, payload=serializer.validated_data, seq=1)
    GoodsAbroad.objects.create(
        partnership=us, sku=skus[0], on_hand=48, sold_total=112, oldest_unit_age_days=67, reported_at=timezone.now()
    )
    services.confirm_feed_mirrored(partnership=us, mirrored_before=timezone.now())
    return merchant


def code_for(username):
    device = TOTPDevice.objects.get(user__username=username)
    return f"{TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits).token():06d}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_invited_owner_joins_enrols_manages_the_team_and_reads_goods_abroad(page, live_server, shop, shot, language):
    prefix = "/en" if language == "en" else ""
    email = f"lin-{language}@pandababy.example"
    with translation.override(language):
        invitation = team.invite(merchant=shop, email=email, role="owner", invited_by="ops")
    link = Notification.objects.get(key=f"merchant-invitation:{invitation.pk}").context["url"]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    page.goto(live_server.url + path)
    shot(page, f"merchant-invitation-{language}")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert "/merchant/two-factor/setup/" in page.url
    assert page.locator(".qr svg").count() == 1
    shot(page, f"merchant-two-factor-setup-{language}")
    page.set_viewport_size(PHONE)
    shot(page, f"merchant-two-factor-setup-{language}-390")
    page.set_viewport_size(DESKTOP)

    page.fill("#id_code", "000000")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert page.locator(".errorlist").count() == 1
    device = TOTPDevice.objects.get(user__username=email)
    device.throttle_reset()
    page.fill("#id_code", code_for(email))
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert page.locator(".backup-codes li").count() == 10
    shot(page, f"merchant-backup-codes-{language}")
    with page.expect_navigation():
        page.click("a.button.primary")

    page.goto(f"{live_server.url}{prefix}/merchant/team/")
    page.fill("#id_email", "min@pandababy.example")
    page.select_option("#id_role", "finance")
    with page.expect_navigation():
        page.click("form.invite button[type=submit]")
    assert page.locator(".plain-list li").count() == 1
    mine = MerchantMembership.objects.get(user__username=email)
    page.select_option(f"#role-{mine.pk}", "catalog")
    with page.expect_navigation():
        page.click(f"tr[data-member='{email}'] .role-form button")
    assert page.locator(".message.error").count() == 1
    assert MerchantMembership.objects.get(pk=mine.pk).role == "owner"
    shot(page, f"merchant-team-{language}")
    page.set_viewport_size(PHONE)
    shot(page, f"merchant-team-{language}-390")
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server.url}{prefix}/merchant/abroad/")
    bottle = page.locator("tbody[data-code='BOTTLE-240'] tr[data-partner='us']")
    assert bottle.locator("[data-column='viewed'] strong").inner_text() == "312"
    assert bottle.locator("[data-column='stock'] strong").inner_text() == "48"
    assert page.locator("tbody[data-code='BOTTLE-240'] tr[data-partner='jp'] .not-reported").count() >= 4
    shot(page, f"merchant-abroad-{language}")
    page.set_viewport_size(PHONE)
    shot(page, f"merchant-abroad-{language}-390")
