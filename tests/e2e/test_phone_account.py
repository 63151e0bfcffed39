"""A shopper's phone account on a real `cn` instance (its own process and database, the default SMS
file backend): a guest order placed with a phone number, sign-up with that number, the code read
from the instance's text-message file, the guest order in My account once the phone is verified,
then signing out and in again with the phone number and password."""

import dataclasses
import json
import re
import time

import pytest
import requests

from scripts.instances import CN, Instance

from .conftest import INSTANCES
from .pairs import fresh_databases
from .test_two_instances import free_port, manage

pytestmark = pytest.mark.e2e

TIMEOUT = 20
PHONE = "+86 139 0013 9000"
PASSWORD = "a-Strong-pass-42"
# A product of ours with stock in the home warehouse, and an order placed by a guest (no account)
# with the phone number, through the shop's own services.
GUEST_ORDER = """
import json
from payments.shop.services import checkout as checkouts
from tests.payments.shop_factories import cart_with, checkout_of, own_variant
from tests.logistics.factories import make_warehouse
variant = own_variant(make_warehouse(country="CN"), stock=5)
checkout = checkout_of(cart_with((variant, 1)), email="guest.shopper@example.com", phone="{phone}")
order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
print(json.dumps({{"number": order.number, "user": order.user_id}}))
"""


@pytest.fixture(scope="module")
def cn(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e-phone-account")
    (database,) = fresh_databases(["crossborder_e2e_accounts2_cn"])
    instance = Instance(dataclasses.replace(CN, port=free_port()), tmp / "cn", database)
    request.config.stash[INSTANCES] = (instance,)
    try:
        instance.prepare()
        instance.start(worker=False, beat=False)
        instance.wait_ready()
        yield instance
    finally:
        instance.stop()


def form_post(session, url, data):
    """GET the page for its CSRF token, then POST the form as the browser would."""
    page = session.get(url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text[-1500:]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(url, data={"csrfmiddlewaretoken": token, **data}, headers={"Referer": url}, timeout=TIMEOUT)


def texted_code(instance, phone_digits, *, after=0.0):
    """The six-digit code in the newest text message the instance wrote for the number."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        files = [
            path for path in (instance.data_dir / "sms").glob(f"*-{phone_digits}.txt") if path.stat().st_mtime >= after
        ]
        if files:
            newest = max(files, key=lambda path: path.stat().st_mtime_ns)
            found = re.findall(r"\b(\d{6})\b", newest.read_text(encoding="utf-8"))
            if found:
                return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no text message to +{phone_digits} in {instance.data_dir / 'sms'}")


def test_phone_sign_up_with_the_texted_code_joins_the_guest_order_and_signs_in_again(cn):
    guest = json.loads(manage(cn, "shell", "-c", GUEST_ORDER.format(phone=PHONE)).strip().splitlines()[-1])
    assert guest["user"] is None
    base = f"{cn.base_url}/en/account"
    shopper = requests.Session()
    started = time.time() - 1

    signed_up = form_post(shopper, f"{base}/signup/", {"phone": PHONE, "password1": PASSWORD})
    assert signed_up.status_code == 200 and signed_up.url.endswith("/account/phone/verify/"), signed_up.url
    before = shopper.get(f"{base}/orders/", timeout=TIMEOUT)
    assert str(guest["number"]) not in before.text  # nothing joins before the phone is verified

    code = texted_code(cn, "8613900139000", after=started)
    verified = form_post(shopper, f"{base}/phone/verify/", {"code": code})
    assert verified.status_code == 200, verified.text[-1500:]

    orders = shopper.get(f"{base}/orders/", timeout=TIMEOUT)
    assert orders.status_code == 200 and f"/account/orders/{guest['number']}/" in orders.text
    assert shopper.get(f"{base}/orders/{guest['number']}/", timeout=TIMEOUT).status_code == 200

    assert form_post(shopper, f"{base}/logout/", {}).status_code == 200
    assert shopper.get(f"{base}/orders/", timeout=TIMEOUT, allow_redirects=False).status_code == 302
    again = form_post(shopper, f"{base}/login/", {"login": "13900139000", "password": PASSWORD})
    assert again.status_code == 200, again.text[-1500:]
    mine = shopper.get(f"{base}/orders/", timeout=TIMEOUT, allow_redirects=False)
    assert mine.status_code == 200 and f"/account/orders/{guest['number']}/" in mine.text

    stranger = requests.Session()
    assert stranger.get(f"{base}/orders/{guest['number']}/", timeout=TIMEOUT).url.endswith(
        f"/account/login/?next=/en/account/orders/{guest['number']}/"
    )
