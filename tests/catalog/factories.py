"""Factories for catalog tests: merchants, users and products built through the services, so every
product has what the services derive (lowest price, search document, version)."""

import itertools
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from djmoney.money import Money

from catalog import services
from catalog.models import Product

# Real taxonomy IDs shipped in catalog/data/taxonomy.tsv.
BABY_AND_TODDLER = 537
NURSING_AND_FEEDING = 561

_counter = itertools.count(1)


def money(amount):
    return Money(Decimal(str(amount)), settings.PLATFORM_CURRENCY)


TEST_PASSWORD = "pw-for-tests-1"  # noqa: S105 (test users only)


def make_user(username=None, password=TEST_PASSWORD, **extra):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=password, **extra)


def make_merchant(name=None, users=()):
    n = next(_counter)
    return services.create_merchant(name=name or f"Merchant {n}", slug=f"merchant-{n}", users=users)


def product_input(
    *,
    code=None,
    category_id=NURSING_AND_FEEDING,
    titles=None,
    descriptions=None,
    original_language="zh-hans",
    price="99.00",
    stock=10,
    skus=None,
    brand="Acme",
    hs_code="392410",
    origin="CN",
    weight_grams=250,
    status=Product.Status.ACTIVE,
    variants=None,
):
    n = next(_counter)
    code = code or f"P{n}"
    titles = titles or {"zh-hans": f"婴儿奶瓶 {n}", "en": f"Baby bottle {n}"}
    descriptions = descriptions or {}
    if variants is None:
        variants = [
            services.VariantInput(sku=sku, price=money(price), stock=stock) for sku in (skus or [f"{code}-SKU"])
        ]
    return services.ProductInput(
        code=code,
        category_id=category_id,
        original_language=original_language,
        country_of_origin=origin,
        hs_code=hs_code,
        weight_grams=weight_grams,
        texts={lang: (title, descriptions.get(lang, "")) for lang, title in titles.items()},
        variants=variants,
        brand=brand,
        status=status,
    )


def make_product(merchant=None, **kwargs):
    merchant = merchant or make_merchant()
    return services.save_product(merchant=merchant, data=product_input(**kwargs))


def past_second_factor(client, user):
    """`client` logged in as `user` and past the second factor, as after the code page (owners and
    finance staff of a merchant need it: catalog/two_factor.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
