"""The after-sales steps the end-to-end tests share (issue 15): the us goods offered to cn, a
shopper's return opened in cn's storefront, received and graded, refunded; the graded resale; what
us was told; the settlement statements; a shopper's review written over HTTP and moderated. Each
script runs in `manage.py shell` on one instance; `shell` puts the named values before it."""

import json
import re
from decimal import ROUND_HALF_EVEN, Decimal

import requests

from . import test_purchase_and_settlement as purchase
from .test_two_instances import manage

LIKE_NEW_DISCOUNT = Decimal("0.15")  # the agreement's default for like new (crossborder.terms)
RESALE_FEE = Decimal("0.10")  # the agreement's default resale fee rate
SECOND_SHOPPER = {
    **purchase.SHOPPERS["cn"],
    "recipient": {
        "name": "王芳",
        "address_lines": ["南京西路 1 号"],
        "country_area": "上海市",
        "city": "上海",
        "postcode": "200040",
        "country": "CN",
    },
    "email": "wang.fang@example.com",
    "phone": "+86 139 0013 9000",
    "buyer_name": "王芳",
    "buyer_id_number": "310104198503120021",
}

# --- scripts --------------------------------------------------------------------------------------

DELIVER = """
from payments.models import Order
from payments.shop.services import orders
order = Order.objects.get(token=token)
for status in ("shipped", "delivered"):
    orders.change_order_status(order=order, status=status)
print("ok")
"""

# cn's warehouse receives every announced unit of the return and grades each one `grade`.
RECEIVE_AND_GRADE = """
import json
from aftersales.models import ReturnRequest, ReturnUnit
from aftersales.returns.services import returns
found = ReturnRequest.objects.get(token=token)
returns.receive_return(request=found, counts={line.pk: line.quantity for line in found.lines.all()})
returns.grade_units(request=found, grades={u.pk: (grade, "box opened, unused") for u in ReturnUnit.objects.filter(line__request=found)})
found.refresh_from_db()
print(json.dumps({"status": found.status, "owners": [u.partnership.partner.code for u in ReturnUnit.objects.filter(line__request=found)]}))
"""

REFUND = """
import json
from aftersales.models import ReturnRequest
from aftersales.returns.services import returns
from payments.models import LedgerTransaction, Payment
found = returns.refund_return(request=ReturnRequest.objects.get(token=token))
line = found.lines.get()
chargeback = LedgerTransaction.objects.get(reference=returns.chargeback_reference(line))
payment = Payment.objects.get(checkout_reference=str(found.order.checkout.reference))
print(json.dumps({
    "status": found.status, "refund": [str(line.refund.amount), str(line.refund.currency)],
    "payment": [payment.state, str(payment.refunded_amount)],
    "chargeback": [[p.account.code, p.currency, str(p.amount)] for p in chargeback.postings.all()],
    "reference": chargeback.reference,
}))
"""

# The return's units as the disposition rules left them, and the partner's graded stock.
UNITS = """
import json
from aftersales.models import ReturnUnit
from aftersales.returns.services import disposition
from logistics.models import StockLevel
units = list(ReturnUnit.objects.filter(line__request__token=token).order_by("number"))
print(json.dumps({
    "units": [[disposition.unit_key(u), u.grade, u.disposition, u.disposition_by_rule] for u in units],
    "graded": sorted([l.owner.code, l.sku, l.grade, l.on_hand, l.reserved]
                     for l in StockLevel.objects.exclude(grade="").select_related("owner")),
}))
"""

LISTING = """
import json
from partner_zone.models import PartnerListing
listing = next(l for l in PartnerListing.objects.all() if l.variants[0]["sku"] == sku)
print(json.dumps({"id": listing.pk, "reference": str(listing.reference), "price": str(listing.price.amount),
                  "orderable": listing.is_orderable}))
"""

LINE = """
import json
from payments.models import Order
line = Order.objects.get(token=token).lines.get()
print(json.dumps({"reference": line.reference, "grade": line.grade, "fulfilment": line.fulfilment,
                  "total": str(line.total.amount), "goods": str(line.goods.amount), "taxes": str(line.taxes.amount),
                  "shipping": str(line.shipping.amount), "unit_price": str(line.unit_price.amount)}))
"""

# What the exporter (us) heard of its goods' returns: the notices, the dispositions, the books.
TOLD = """
import json
from aftersales.models import PartnerReturnNotice, ReceivedDisposition
from payments.models import ForwardedOrder, LedgerTransaction
print(json.dumps({
    "steps": [[n.step, n.reason, n.lines] for n in PartnerReturnNotice.objects.order_by("occurred_at", "id")],
    "charges": sorted(LedgerTransaction.objects.filter(kind="return_chargeback").values_list("reference", flat=True)),
    "dispositions": [[r.unit, r.grade, r.disposition, r.by_rule, str(r.resale_discount_percent)]
                     for r in ReceivedDisposition.objects.all()],
    "graded_lines": [l for f in ForwardedOrder.objects.all() for l in f.lines if l.get("grade")],
    "sold": sorted(LedgerTransaction.objects.filter(kind="goods_sold_abroad").values_list("reference", flat=True)),
}))
"""

# Two units of the cn shopper's order come back graded good: ops send one to repair (a ticket at the
# warehouse, done by a local provider through its steps) and the other back to us, which leaves in
# the next reverse consignment.
REPAIR_AND_SEND_BACK = """
import json, secrets, datetime as dt
from django.contrib.auth import get_user_model
from django.utils import timezone
from djmoney.money import Money
from aftersales.models import ProviderSkill, ReturnLine, ReturnRequest, ReturnUnit, ServiceArea, ServiceProvider
from aftersales.models import ServiceTicket, Skill, Thread
from aftersales.service.services import tickets
from aftersales.returns.services import disposition
from logistics.models import Warehouse
from logistics.services import reverse
from payments.models import Order
warehouse = Warehouse.objects.get(code="sha-1")
Warehouse.objects.filter(pk=warehouse.pk).update(city="Shanghai", postcode="200131")
provider = ServiceProvider.objects.create(name="Bund Fixers", email="fix@providers.example", language="en")
ProviderSkill.objects.create(provider=provider, skill=Skill.objects.get(code="repair"), price=Money("90", "CNY"))
ServiceArea.objects.create(provider=provider, city="Shanghai")
ops = get_user_model().objects.get_or_create(username="ops-e2e", defaults={"is_staff": True})[0]
order = Order.objects.get(token=token)
line = order.lines.get()
request = ReturnRequest.objects.create(token=secrets.token_hex(16), order=order, reason="no_reason",
    status="inspected", warehouse=warehouse, thread=Thread.objects.create(subject="return"))
returned = ReturnLine.objects.create(request=request, order_line=line, quantity=2)
repaired, sent = [ReturnUnit.objects.create(line=returned, number=n, partnership=line.partnership, grade="good",
    received_at=timezone.now(), inspected_at=timezone.now()) for n in (1, 2)]
disposition.decide(repaired, "repair", reason="a loose hinge", actor=ops)
disposition.decide(sent, "send_back", reason="the partner asked for it", actor=ops)
ticket = ServiceTicket.objects.get(return_unit=repaired)
tickets.accept(ticket=ticket, provider=provider)
tickets.schedule(ticket=ticket, provider=provider, at=timezone.now() + dt.timedelta(hours=3))
tickets.complete(ticket=ticket, provider=provider, note="hinge replaced")
consignment = reverse.send_reverse_consignment(partnership=line.partnership, carrier="SF")
repaired.refresh_from_db()
print(json.dumps({"repaired": disposition.unit_key(repaired), "sent": disposition.unit_key(sent),
                  "after_repair": repaired.disposition, "ticket": str(ticket.reference), "payer": ticket.payer,
                  "consignment": str(consignment.reference), "ledger": ticket.ledger_reference}))
"""

# What the exporter (us) keeps of its returned units' steps, and the charges it was sent.
UNIT_STEPS = """
import json
from aftersales.models import ReceivedDisposition
from payments.models import Posting
print(json.dumps({
    "units": {r.unit: [r.disposition, r.step, r.repair_ticket, str(r.consignment or "")]
              for r in ReceivedDisposition.objects.all()},
    "repair_charge": sorted([p.account.code, p.currency, str(p.amount)]
                            for p in Posting.objects.filter(transaction__reference=charge).select_related("account")),
}))
"""

BATCH = """
import json
from payments.models import SettlementBatch
batch = SettlementBatch.objects.get()
print(json.dumps({"status": batch.status, "net": str(batch.net_amount), "disputes": batch.disputes.count(),
                  "lines": sorted([l.event_reference, l.currency, str(l.amount)] for l in batch.lines.all())}))
"""

# A shopper's order, placed and paid, then shipped and delivered by ops, through the shop's services.
BUY = """
import json, secrets
from payments.shop.services import cart as carts, checkout as checkouts, orders
key = "e2e-reviews-" + secrets.token_hex(4)
line = carts.add_to_cart(session_key=key, quantity=1, **item)
checkout = checkouts.start_checkout(cart=line.cart, buyer=checkouts.Buyer(**shopper))
order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
orders.mark_paid(order=order, payment_reference="e2e-" + order.token)
for status in ("shipped", "delivered"):
    orders.change_order_status(order=order, status=status)
print(json.dumps({"token": order.token}))
"""

# This platform's moderation: approve (or hide, with `reason`) the review named by `reference`.
MODERATE = """
from aftersales.models import ProductReview
from aftersales.reviews import services
review = ProductReview.objects.get(reference=reference)
if reason:
    services.hide_review(review=review, reason=reason)
else:
    services.approve_review(review=review)
print("ok")
"""

REVIEWS = """
import json
from aftersales.models import ProductReview
from crossborder.models import OutboxMessage
print(json.dumps({
    "reviews": [[str(r.reference), r.origin, r.language, r.status, r.withdrawn_at is not None]
                for r in ProductReview.objects.order_by("pk")],
    "outbox": [[m.message_type, m.payload.get("product_of"), m.status]
               for m in OutboxMessage.objects.filter(message_type__startswith="review.").order_by("seq")],
}))
"""


# --- steps ----------------------------------------------------------------------------------------


def cents(amount, rounding=ROUND_HALF_EVEN):
    return amount.quantize(Decimal("0.01"), rounding=rounding)


def shell(instance, script, **values):
    prelude = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    return manage(instance, "shell", "-c", prelude + script)


def run(instance, script, **values):
    """A script's answer: the JSON of its last line."""
    return purchase.last_json(shell(instance, script, **values))


def offer_us_goods(cn, us, goods, *, warehouse=None):
    """us offers `goods` (code -> GOODS row) to cn, both enter the same rate, cn mirrors and prices
    them; with `warehouse` (its name), cn's home warehouse at 1 Bonded Road first."""
    if warehouse:
        manage(cn, "ensure_warehouse", "--code", "sha-1", "--name", warehouse, "--country", "CN",
               "--operator", "cn", "--address", "1 Bonded Road, Shanghai")  # fmt: skip
    rows = json.dumps({code: [*row[:4], str(row[4])] for code, row in goods.items()})
    shell(us, purchase.OFFER.format(me="us", partner="cn", language="en", goods=rows, currency="USD"))
    for instance in (cn, us):
        shell(instance, purchase.RATE.format(rate=str(purchase.USD_CNY)))
    assert "succeeded" in manage(cn, "sync_partner_catalog", "--partner", "us")
    manage(cn, "reprice_listings", "--partner", "us")


def open_return_in_the_storefront(cn, order_token, units, reason):
    """The shopper posts the order's return form; (the return's token, the page landed on)."""
    browser = requests.Session()
    form_url = f"{cn.base_url}/en/returns/order/{order_token}/"
    form = browser.get(form_url, timeout=purchase.TIMEOUT)
    assert form.status_code == 200 and "data-return-form" in form.text, form.text[-2000:]
    line_id = re.search(r'name="quantity-(\d+)"', form.text).group(1)
    sent = browser.post(
        form_url,
        data={"csrfmiddlewaretoken": purchase.csrf_token(form.text), f"quantity-{line_id}": str(units), "reason": reason,
              "kind": "return", "details": "One lantern is enough."},
        headers={"Referer": form_url},
        timeout=purchase.TIMEOUT,
    )  # fmt: skip
    assert sent.status_code == 200 and "/returns/" in sent.url, sent.text[-2000:]
    return sent.url.rstrip("/").rsplit("/", 1)[-1], sent


def graded_offer(html, grade):
    """(shown price, list price) of the zone page's graded offer of `grade`."""
    offer = re.search(rf'class="graded-offer" data-grade="{grade}".*?data-price="([0-9.]+)"', html, re.S)
    assert offer, html[-3000:]
    list_price = re.search(rf'data-grade="{grade}".*?<s class="list-price">[^0-9]*([0-9.,]+)<', html, re.S)
    return Decimal(offer.group(1)), Decimal(list_price.group(1).replace(",", ""))


def refused_without_id(cn, items, expected_total, shopper):
    """The shop API refuses the order without the buyer's real name and ID number (China's CBEC rules)."""
    anonymous = {k: v for k, v in shopper.items() if k not in ("buyer_name", "buyer_id_number")}
    refused = requests.post(
        cn.base_url + "/api/shop/v1/orders/",
        json={"items": items, "expected_total": str(expected_total), **anonymous},
        timeout=purchase.TIMEOUT,
    )
    assert refused.status_code == 400 and refused.json()["field"].startswith("buyer"), refused.text


def buy(instance, item, shopper):
    fields = {
        "recipient": "recipient",
        "email": "email",
        "phone": "phone",
        "buyer_name": "name",
        "buyer_id_number": "id_number",
    }
    values = {field: shopper[key] for key, field in fields.items() if key in shopper}  # the form's names, the Buyer's
    return run(instance, BUY, item=item, shopper=values)["token"]


def write_review(instance, order_token, *, prefix, fields):
    """The shopper opens the order page, follows its review link and posts the form."""
    browser = requests.Session()
    order_page = browser.get(f"{instance.base_url}{prefix}/orders/{order_token}/", timeout=purchase.TIMEOUT)
    assert order_page.status_code == 200, order_page.text[-2000:]
    link = re.search(r'href="([^"]+)" data-write-review', order_page.text)
    assert link, order_page.text[-3000:]
    url = instance.base_url + link.group(1)
    form = browser.get(url, timeout=purchase.TIMEOUT)
    assert form.status_code == 200 and "data-review-form" in form.text, form.text[-2000:]
    posted = browser.post(
        url,
        data={**fields, "csrfmiddlewaretoken": purchase.csrf_token(form.text)},
        headers={"Referer": url},
        timeout=purchase.TIMEOUT,
    )
    assert posted.status_code == 200 and "/reviews/" in posted.url and 'data-status="pending"' in posted.text, (
        posted.text[-2000:]
    )
    return posted.url


def reviews(instance):
    return run(instance, REVIEWS)


def page(instance, path):
    response = requests.get(instance.base_url + path, timeout=purchase.TIMEOUT)
    assert response.status_code == 200, response.text[-2000:]
    return response.text


def panel(html):
    """The review panel's summary: total, average and the count from each platform."""
    total = re.search(r'data-review-count="(\d+)"', html)
    average = re.search(r'data-average="([\d.]+)"', html)
    platforms = dict(re.findall(r'data-platform="(\w+)" data-count="(\d+)"', html))
    return int(total.group(1)), average.group(1) if average else None, {k: int(v) for k, v in platforms.items()}
