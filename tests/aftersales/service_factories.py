"""Factories of the service tickets' tests: a `cn` shop (tests/payments/shop_factories.py) with
local providers, goods that need installation, and orders paid with the installation chosen."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from djmoney.money import Money

from aftersales.models import ProviderSkill, ServiceArea, ServiceProvider, Skill
from catalog import services as catalog_services
from payments.models import Order
from payments.shop.services import checkout as checkouts
from payments.shop.services import orders
from tests.payments import shop_factories
from tests.payments.shop_factories import CONTACT, cart_with, own_variant, set_up_shop

OPS = "ops@example.com"
_payments = itertools.count(1)


SKILLS = {"installation": (24, 72), "maintenance": (48, 120), "repair": (48, 168)}


def set_up_service(settings):
    """The shop, the skills (a transactional test before this one flushed the migration's), and
    where ops hear of breaches."""
    warehouse = set_up_shop(settings)
    for code, (schedule, complete) in SKILLS.items():
        Skill.objects.get_or_create(code=code, defaults={"hours_to_schedule": schedule, "hours_to_complete": complete})
    settings.SERVICE_TICKETS = {**settings.SERVICE_TICKETS, "OPS_EMAIL": OPS, "PROVIDER_LINK_DAYS": 90}
    settings.PLATFORM_BASE_URL = "http://testserver"
    return warehouse


def make_provider(name="Pudong Home Services", *, city="Shanghai", postcode_prefix="", prices=None, **fields):
    """An active provider serving `city` (and/or postcodes starting with `postcode_prefix`) at
    `prices` per skill, in CNY."""
    provider = ServiceProvider.objects.create(
        name=name,
        email=fields.pop("email", f"{name.split()[0].lower()}@providers.example"),
        phone=fields.pop("phone", "+86 21 5888 0000"),
        contact_name=fields.pop("contact_name", "Wang Fang"),
        language=fields.pop("language", "zh-hans"),
        **fields,
    )
    for code, price in (prices or {"installation": "80.00", "maintenance": "60.00", "repair": "120.00"}).items():
        ProviderSkill.objects.create(provider=provider, skill=Skill.objects.get(code=code), price=Money(price, "CNY"))
    ServiceArea.objects.create(provider=provider, city=city, postcode_prefix=postcode_prefix)
    return provider


def installable_variant(warehouse, *, price="1999.00", stock=20):
    """Our own washing machine: in stock, and needing installation."""
    variant = own_variant(warehouse, stock=stock, price=price)
    catalog_services.set_needs_installation(product=variant.product, needs_installation=True)
    return variant


def checkout_with_installation(*items, contact=None, install=True, **extra):
    cart = cart_with(*items)
    services = [line.pk for line in cart.lines.order_by("pk")] if install else []
    return shop_factories.start_checkout(cart=cart, **(contact or CONTACT), services=services, **extra)


def place_and_pay(checkout, *, now=None):
    order = checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))
    orders.mark_paid(order=order, payment_reference=f"pay-{next(_payments)}", amount=order.total, now=now)
    return Order.objects.get(pk=order.pk)


def deliver(order):
    orders.change_order_status(order=order, status=Order.Status.SHIPPED)
    return orders.change_order_status(order=order, status=Order.Status.DELIVERED)


def later(hours):
    return timezone.now() + dt.timedelta(hours=hours)


@pytest.fixture
def service_shop(settings):
    """The service tests' shop (tests/aftersales/conftest.py offers it): English pages."""
    warehouse = set_up_service(settings)
    settings.LANGUAGE_CODE = "en"
    return warehouse
