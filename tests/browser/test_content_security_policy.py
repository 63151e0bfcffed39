"""The Content-Security-Policy in a real browser: the storefront, checkout and payment pages, the
admin and the API docs raise no violation, and the behaviour that used to be inline script (filters
that submit themselves, the quote's countdown, the payment page that moves on by itself) still works
from the static file."""

import pytest
from django.contrib.auth import get_user_model

from payments.models import Order, Payment
from tests.browser.test_checkout import serve_partner_images, shop  # noqa: F401 - the fixture
from tests.payments.shop_factories import VALID_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reports every violation the page sees, whatever the console says; an init script is not itself
# subject to the page's policy.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watch(page, seen):
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )


def violations(page):
    return [f"{page.url}: {v}" for v in page.evaluate("window.__cspViolations || []")]


def test_storefront_checkout_payment_admin_and_docs_raise_no_csp_violation(live_server, page, shop):  # noqa: F811
    seen = []
    watch(page, seen)
    serve_partner_images(page)

    page.goto(f"{live_server.url}/")
    seen += violations(page)

    # A filter submits its form by itself (data-autosubmit, from static/js/site.js).
    page.goto(f"{live_server.url}/search/?q=奶瓶")
    with page.expect_navigation():
        page.locator('input[name="in_stock"]').first.check()
    assert "in_stock=1" in page.url
    seen += violations(page)

    page.goto(f"{live_server.url}/p/{shop['product'].reference}/")
    with page.expect_navigation():
        page.locator("form.add-to-cart button").click()
    page.goto(f"{live_server.url}/zone/us/p/{shop['listing'].reference}/")
    seen += violations(page)
    with page.expect_navigation():
        page.locator("form.add-to-cart button").click()
    seen += violations(page)
    with page.expect_navigation():
        page.locator("a.button.primary").click()
    for field, value in {
        "#f-name": "李伟",
        "#f-address": "浦东新区世纪大道 88 号",
        "#f-city": "上海",
        "#f-postcode": "200120",
        "#f-email": "li.wei@example.com",
        "#f-phone": "13800138000",
        "#f-buyer_name": "李伟",
        "#f-buyer_id_number": VALID_ID,
    }.items():
        page.fill(field, value)
    page.select_option("#f-country_area", "上海市")
    seen += violations(page)
    with page.expect_navigation():
        page.locator(".checkout-form button[type=submit]").click()

    # The quote counts down (the script runs) and nothing was blocked.
    page.wait_for_function("/^\\d+:\\d\\d$/.test(document.getElementById('countdown').textContent)")
    seen += violations(page)
    with page.expect_navigation():
        page.locator("form[action$='/place/'] button[type=submit]").click()
    payment = Payment.objects.get()
    assert page.url == f"{live_server.url}/pay/{payment.token}/"
    seen += violations(page)

    # Approved on the phone, the payment page moves on by itself (its polling script runs).
    phone = page.context.new_page()
    watch(phone, seen)
    phone.goto(payment.next_action["qr_payload"])
    with phone.expect_navigation():
        phone.locator("button.approve").click()
    seen += violations(phone)
    phone.close()
    order = Order.objects.get()
    page.wait_for_url(f"{live_server.url}/orders/{order.token}/", timeout=15000)
    seen += violations(page)

    # The admin and the API docs under the same policy (the docs relax only what their UIs need).
    get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    for path in ("/admin/", "/admin/payments/order/", f"/admin/payments/order/{order.pk}/change/"):
        page.goto(f"{live_server.url}{path}")
        seen += violations(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    seen += violations(page)
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector(".api-content, [role=navigation]", timeout=15000)
    seen += violations(page)

    assert seen == []
