"""The service ticket pages in Chromium, in both languages, at desktop width and at 390 px: the
provider opens its link (no account), accepts a job and sets the appointment, completes it; the
shopper follows the ticket, writes in its thread and rates the job. Screenshots in test-artifacts/."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.models import Message, ServiceTicket
from aftersales.service.services import links, sla, tickets
from catalog.models import ProductText
from tests.aftersales.service_factories import (
    checkout_with_installation,
    installable_variant,
    make_provider,
    place_and_pay,
    set_up_service,
)

from .test_checkout import no_sideways_scroll, on_a_phone_too

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PRICES = {"installation": "80.00", "maintenance": "60.00", "repair": "120.00"}
ORANGE = "rgb(194, 65, 12)"  # --accent of storefront.css


def shanghai_washer(settings, live_server):
    """A cn shop with a Shanghai installer and a washing machine that needs installation."""
    warehouse = set_up_service(settings)
    settings.PLATFORM_BASE_URL = live_server.url
    provider = make_provider("浦东家电安装服务中心", contact_name="王芳", language="zh-hans", prices=PRICES)
    washer = installable_variant(warehouse, price="3299.00", stock=10)
    texts = ProductText.objects.filter(product=washer.product)
    texts.filter(language="zh-hans").update(title="小天鹅 10公斤滚筒洗衣机")
    texts.filter(language="en").update(title="Little Swan 10 kg front-loading washer")
    return provider, washer


@pytest.fixture
def ticket(settings, live_server):
    """A paid order of a washing machine with its installation, dispatched to a Shanghai provider;
    the provider has other jobs too, one of them late."""
    provider, washer = shanghai_washer(settings, live_server)
    other = ServiceTicket.objects.get(order=place_and_pay(checkout_with_installation((washer, 1))))
    tickets.accept(ticket=other, provider=provider)
    sla.mark_breaches(now=other.schedule_due_at + dt.timedelta(minutes=1))
    found = ServiceTicket.objects.get(order=place_and_pay(checkout_with_installation((washer, 1))))
    tickets.write_message(
        ticket=found, author=Message.Author.SHOPPER, body="请在工作日上午来，小区门口需要登记。Weekday mornings please."
    )
    return found


def provider_url(live_server, ticket, language=""):
    prefix = f"/{language}" if language else ""
    return f"{live_server.url}{prefix}/service/provider/{links.link_token(ticket.provider)}/tickets/{ticket.reference}/"


def test_the_provider_accepts_schedules_and_completes_on_its_page(live_server, page, shot, ticket):
    page.goto(provider_url(live_server, ticket))
    assert page.locator("h1").inner_text().startswith(ticket.number)
    shot(page, "service-provider-ticket-zh-desktop")
    on_a_phone_too(page, shot, "service-provider-ticket-zh-phone")

    with page.expect_navigation():
        page.locator('[data-step="accept"]').click()
    assert page.locator(".ticket-status").first.get_attribute("data-status") == "accepted"

    appointment = timezone.localtime() + dt.timedelta(days=1)
    page.fill("#f-scheduled_for", appointment.strftime("%Y-%m-%dT10:30"))
    with page.expect_navigation():
        page.locator('[data-step="schedule"]').click()
    assert page.locator(".ticket-status").first.get_attribute("data-status") == "scheduled"

    page.fill("#f-body", "好的，明天上午十点半到。")
    with page.expect_navigation():
        page.locator(".message-form button").click()
    assert "明天上午十点半到" in page.locator(".messages").inner_text()

    # The same page in English, at both widths.
    page.goto(provider_url(live_server, ticket, "en"))
    assert page.locator('[data-step="complete"]').inner_text() == "Mark as completed"
    shot(page, "service-provider-ticket-en-desktop")
    on_a_phone_too(page, shot, "service-provider-ticket-en-phone")

    page.fill("#f-note", "Installed and levelled, test wash run")
    with page.expect_navigation():
        page.locator('[data-step="complete"]').click()
    assert page.locator(".ticket-status").first.get_attribute("data-status") == "completed"

    # Its list of jobs: the late one marked.
    page.goto(f"{live_server.url}/service/provider/{links.link_token(ticket.provider)}/")
    assert page.locator(".ticket-card.is-breached").count() == 1
    shot(page, "service-provider-home-zh-desktop")
    on_a_phone_too(page, shot, "service-provider-home-zh-phone")
    page.goto(f"{live_server.url}/en/service/provider/{links.link_token(ticket.provider)}/")
    shot(page, "service-provider-home-en-desktop")
    on_a_phone_too(page, shot, "service-provider-home-en-phone")


def test_the_shopper_follows_writes_and_rates_the_ticket(live_server, page, shot, ticket):
    provider = ticket.provider
    tickets.accept(ticket=ticket, provider=provider)
    tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=20))
    tickets.write_message(ticket=ticket, author=Message.Author.PROVIDER, provider=provider, body="明天上午十点半到。")

    page.goto(f"{live_server.url}/service/tickets/{ticket.token}/")
    assert page.locator(".ticket-status").first.get_attribute("data-status") == "scheduled"
    no_sideways_scroll(page)
    shot(page, "service-ticket-zh-desktop")
    on_a_phone_too(page, shot, "service-ticket-zh-phone")

    # The thread's Send is the platform's primary (orange) button, not a white one.
    send = page.locator(".message-form button")
    assert send.evaluate("b => getComputedStyle(b).backgroundColor") == ORANGE
    page.fill("#f-body", "好的，谢谢！")
    with page.expect_navigation():
        page.locator(".message-form button").click()
    assert page.locator('.message[data-author="shopper"]').count() == 2

    tickets.complete(ticket=ticket, provider=provider, note="安装完成")
    page.goto(f"{live_server.url}/en/service/tickets/{ticket.token}/")
    assert page.locator(".ticket-status").first.get_attribute("data-status") == "completed"
    page.locator('input[name="rating"][value="5"]').check()
    page.fill("#f-comment", "On time and tidy.")
    shot(page, "service-ticket-en-rating-desktop")
    with page.expect_navigation():
        page.locator(".rating-form button").click()
    assert page.locator("[data-rating]").get_attribute("data-rating") == "5"
    shot(page, "service-ticket-en-desktop")
    on_a_phone_too(page, shot, "service-ticket-en-phone")
    page.goto(f"{live_server.url}/service/tickets/{ticket.token}/")
    shot(page, "service-ticket-zh-rated-desktop")
    on_a_phone_too(page, shot, "service-ticket-zh-rated-phone")


def test_the_shopper_chooses_installation_at_checkout_and_sees_it_in_the_quote(settings, live_server, page, shot):
    _provider, washer = shanghai_washer(settings, live_server)

    page.goto(f"{live_server.url}/p/{washer.product.reference}/")
    with page.expect_navigation():
        page.locator("form.add-to-cart button").click()
    page.goto(f"{live_server.url}/checkout/")
    page.fill("#f-name", "李伟")
    page.select_option("#f-country_area", "上海市")
    page.fill("#f-address", "世纪大道88号")
    page.fill("#f-city", "Shanghai")
    page.fill("#f-postcode", "200120")
    page.fill("#f-email", "li.wei@example.com")
    page.fill("#f-phone", "+86 138 0013 8000")
    page.locator('input[name="services"]').check()
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header would stand mid-page in a full-page shot
    shot(page, "service-checkout-zh-desktop")
    on_a_phone_too(page, shot, "service-checkout-zh-phone")
    with page.expect_navigation():
        page.locator(".checkout-form button.primary").click()

    assert page.locator('tr.extra-line[data-extra="installation"]').count() == 1
    assert page.locator(".grand-total").get_attribute("data-total") == "3389.00"  # goods, shipping, installation
    shot(page, "service-quote-zh-desktop")
    on_a_phone_too(page, shot, "service-quote-zh-phone")


@pytest.mark.parametrize(("language", "prefix"), [("zh-hans", ""), ("en", "/en")])
def test_the_order_page_tells_returns_apart_and_offers_a_repair_as_an_action(
    settings, live_server, page, shot, language, prefix
):
    from payments.models import Order
    from payments.shop.services import orders
    from tests.aftersales.factories import returned_units

    provider, washer = shanghai_washer(settings, live_server)
    order = place_and_pay(checkout_with_installation((washer, 2), install=False))
    orders.change_order_status(order=order, status=Order.Status.SHIPPED)
    orders.change_order_status(order=order, status=Order.Status.DELIVERED)
    line = order.lines.get()
    first, second = returned_units(line, ""), returned_units(line, "")
    first = first[0].line.request
    second = second[0].line.request

    page.goto(f"{live_server.url}{prefix}/orders/{order.token}/")
    returns = page.locator(".return-list > li")
    assert returns.count() == 2
    numbers = {returns.nth(i).get_attribute("data-return") for i in range(2)}
    assert numbers == {first.number, second.number}
    assert returns.first.locator(".return-lines li").count() == 1
    assert "× 1" in returns.first.locator(".return-lines").inner_text()
    repair = page.locator("[data-request-service]")
    assert repair.evaluate("a => getComputedStyle(a).backgroundColor") == ORANGE
    assert repair.evaluate("a => getComputedStyle(a).display") == "inline-block"
    no_sideways_scroll(page)
    shot(page, f"order-aftersales-{language}-desktop")
    on_a_phone_too(page, shot, f"order-aftersales-{language}-phone")


@pytest.mark.parametrize(("language", "prefix"), [("zh-hans", ""), ("en", "/en")])
def test_the_provider_closes_a_returned_units_repair_as_not_repairable_on_its_page(
    settings, live_server, page, shot, language, prefix
):
    from django.contrib.auth import get_user_model

    from aftersales.choices import Disposition
    from aftersales.returns.services import disposition
    from logistics.models import Warehouse
    from tests.aftersales.factories import paid_line, returned_units
    from tests.payments.shop_factories import partner_listing

    provider, _washer = shanghai_washer(settings, live_server)  # the provider serves Shanghai
    Warehouse.objects.update(city="Shanghai", postcode="200131", address="1 Waigaoqiao Rd")
    [unit] = returned_units(paid_line(partner_listing(export_price="20.00")), "acceptable",
                            warehouse=Warehouse.objects.first())  # fmt: skip
    staff = get_user_model().objects.create_user("ops-lin", is_staff=True)
    disposition.decide(unit, Disposition.REPAIR, reason="the handle is loose", actor=staff)
    ticket = ServiceTicket.objects.get(return_unit=unit)
    tickets.accept(ticket=ticket, provider=provider)

    page.goto(provider_url(live_server, ticket, "en" if prefix else ""))
    page.locator("details.unrepairable summary").click()
    page.fill("#f-unrepairable", "外壳开裂，无法修复 / the case is cracked")
    no_sideways_scroll(page)
    shot(page, f"service-provider-unrepairable-{language}-desktop")
    on_a_phone_too(page, shot, f"service-provider-unrepairable-{language}-phone")
    with page.expect_navigation():
        page.locator('[data-step="unrepairable"]').click()

    assert page.locator(".ticket-status").first.get_attribute("data-status") == "completed"
    unit.refresh_from_db()
    assert unit.disposition == Disposition.DISPOSE


@pytest.mark.parametrize(("language", "prefix"), [("zh-hans", ""), ("en", "/en")])
def test_the_shopper_pays_for_a_maintenance_asked_for_after_delivery(
    settings, live_server, page, shot, language, prefix
):
    """A maintenance of our own washer, which the shopper pays: the ticket shows the price and a pay
    button; a declined payment sends the shopper back to a ticket still awaiting payment that says
    so; paying again with the QR wallet dispatches it."""
    from payments.models import Order, Payment
    from payments.shop.services import orders

    provider, washer = shanghai_washer(settings, live_server)
    settings.PAYMENT_OPTIONS = {
        **settings.PAYMENT_OPTIONS,
        "SANDBOX_WEBHOOK_DELIVERY": "payments.providers.sandbox.deliver_over_http",
    }
    order = place_and_pay(checkout_with_installation((washer, 1), install=False))
    orders.change_order_status(order=order, status=Order.Status.SHIPPED)
    order = orders.change_order_status(order=order, status=Order.Status.DELIVERED)
    ticket = tickets.request_service(
        order=order, skill="maintenance", line_number=1, name="李伟", email="li.wei@example.com",
        phone="+86 138 0013 8000", address="世纪大道88号", city="Shanghai", postcode="200120",
        problem="每年保养一次：检查滚筒和密封圈。", language=language,
    )  # fmt: skip
    assert ticket.status == "unpaid"

    page.goto(f"{live_server.url}{prefix}/service/tickets/{ticket.token}/")
    assert page.locator("[data-price]").inner_text().endswith("¥60.00")
    no_sideways_scroll(page)
    shot(page, f"service-pay-{language}-1-awaiting-desktop")
    on_a_phone_too(page, shot, f"service-pay-{language}-1-awaiting-phone")

    def pay(decision):
        with page.expect_navigation():
            page.locator("[data-pay]").click()
        payment = Payment.objects.filter(checkout_reference=f"service:{ticket.reference}").order_by("-pk").first()
        assert page.url == f"{live_server.url}{prefix}/pay/{payment.token}/"
        phone = page.context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(payment.next_action["qr_payload"])
        with phone.expect_navigation():
            phone.locator(f'button[value="{decision}"]').click()
        phone.close()
        page.wait_for_url(f"{live_server.url}{prefix}/service/tickets/{ticket.token}/", timeout=15000)
        return payment

    pay("decline")
    assert page.locator(".ticket-status").first.get_attribute("data-status") == "unpaid"
    assert page.locator("[data-payment-failed]").count() == 1
    shot(page, f"service-pay-{language}-2-declined-desktop")
    on_a_phone_too(page, shot, f"service-pay-{language}-2-declined-phone")

    payment = pay("approve")
    assert page.locator(".ticket-status").first.get_attribute("data-status") == "dispatched"
    assert page.locator("[data-paid]").count() == 1 and page.locator("[data-pay]").count() == 0
    no_sideways_scroll(page)
    shot(page, f"service-pay-{language}-3-paid-desktop")
    on_a_phone_too(page, shot, f"service-pay-{language}-3-paid-phone")
    ticket.refresh_from_db()
    payment.refresh_from_db()
    assert (ticket.provider, ticket.payment_token, payment.state) == (provider, payment.token, "captured")
