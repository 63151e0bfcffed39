"""Demo logistics: each demo platform's warehouse and the international express rates its first-leg
cost comparison uses (the tables: demo_data/logistics.json). Safe to run again."""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from djmoney.money import Money

from .models import ExpressRate, Warehouse

# The demo warehouse of each platform, and the international express per parcel by weight band as
# couriers quote them between China and the US (the paper's figure: about 500 CNY for 5 kg to the
# United States): demo_data/logistics.json.
with open(Path(__file__).resolve().parent / "demo_data" / "logistics.json", encoding="utf-8") as _data:
    _TABLES = json.load(_data)
WAREHOUSES = _TABLES["warehouses"]
# (currency, destination) -> [(max grams, price), ...]
EXPRESS_RATES = {
    (rates["currency"], rates["destination"]): [tuple(band) for band in rates["bands"]]
    for rates in _TABLES["express_rates"]
}


def ensure_demo_logistics(platform=None):
    """This platform's demo warehouse and express rates; returns (warehouse, rates created)."""
    platform = platform or settings.PLATFORM_CODE
    spec = WAREHOUSES.get(platform) or WAREHOUSES["cn" if settings.PLATFORM_CURRENCY == "CNY" else "us"]
    warehouse, _created = Warehouse.objects.get_or_create(code=spec["code"], defaults=spec)
    created = 0
    for (currency, destination), bands in EXPRESS_RATES.items():
        if currency != settings.PLATFORM_CURRENCY:
            continue
        for max_grams, price in bands:
            _rate, new = ExpressRate.objects.get_or_create(
                destination=destination,
                max_weight_grams=max_grams,
                defaults={"price": Money(Decimal(price), currency)},
            )
            created += new
    return warehouse, created


# --- the demo's first leg, sales and handoff -----------------------------------------------------

DEMO_CONSIGNMENT_SKUS = 12
DEMO_SOLD_SKUS = 4


def send_demo_consignment(partner_code):
    """Exporter side: a consignment of up to a dozen SKUs offered to the partner, its notice sent.
    Returns its reference, or None if one was already sent (the demo runs again) or nothing is offered."""
    from catalog.models import ExportOffer
    from crossborder.models import Partner

    from .models import Consignment
    from .services import first_leg

    partnership = Partner.objects.get(code=partner_code).live_partnership()
    if partnership is None or Consignment.objects.filter(partnership=partnership, direction="outbound").exists():
        return None
    offers = (
        ExportOffer.objects.filter(partnership=partnership, is_offered=True, product__status="active")
        .select_related("product")
        .prefetch_related("product__variants")
        .order_by("product__code")[:DEMO_CONSIGNMENT_SKUS]
    )
    lines = []
    for index, offer in enumerate(offers):
        variant = next((v for v in offer.product.variants.all() if v.is_active), None)
        if variant is not None:
            lines.append((variant.sku, 12 + 6 * (index % 4)))
    if not lines:
        return None
    units = sum(quantity for _sku, quantity in lines)
    consignment = first_leg.plan_consignment(
        partnership=partnership,
        lines=lines,
        carrier="COSCO Shipping" if settings.PLATFORM_CURRENCY == "CNY" else "Maersk",
        tracking_number=f"DEMO{partnership.pk:04d}{units:04d}",
        cartons=max(1, units // 40),
        gross_weight_grams=units * 450,
        first_leg_cost=Money(Decimal(units) * Decimal("6.50"), settings.PLATFORM_CURRENCY),
    )
    first_leg.send_notice(consignment)
    return str(consignment.reference)


def receive_and_sell_demo_consignments(partner_code):
    """Importer side: count in every notified consignment from the partner (one line a unit short,
    one with a damaged unit), sell and ship a few units at home, then run the nightly handoff.
    Returns (consignments received, units sold)."""
    from crossborder.models import Partner

    from .models import Consignment
    from .services import first_leg, handoff, last_leg

    partner = Partner.objects.get(code=partner_code)
    partnership = partner.live_partnership()
    received = sold = 0
    for consignment in Consignment.objects.filter(partnership=partnership, direction="inbound", status="notified"):
        lines = list(consignment.lines.all())
        for index, line in enumerate(lines):
            counted = line.quantity - 1 if index == 1 else line.quantity
            first_leg.receive_line(
                consignment=consignment, sku=line.sku, counted=counted, damaged=1 if index == 2 else 0
            )
        first_leg.complete_receipt(consignment=consignment)
        received += 1
        for index, line in enumerate(lines[:DEMO_SOLD_SKUS]):
            order_line = f"demo-{str(consignment.reference)[:8]}-{index + 1}"
            shipment = last_leg.allocate_local(
                order_line=order_line,
                sku=line.sku,
                quantity=2,
                owner=partner,
                recipient={
                    "name": "王芳" if settings.PLATFORM_CURRENCY == "CNY" else "Jamie Rivera",
                    "address_lines": ["长宁路 1018 号"] if settings.PLATFORM_CURRENCY == "CNY" else ["88 Pine St"],
                    "city": "上海" if settings.PLATFORM_CURRENCY == "CNY" else "Portland",
                    "country": settings.PLATFORM_COUNTRY,
                },
            )
            last_leg.pick_shipment(shipment)
            last_leg.pack_shipment(shipment)
            last_leg.ship_shipment(shipment)
            sold += 2
    if received:
        handoff.send_handoff(partnership=partnership)
    return received, sold
