"""The warehouse's count becomes the only stock figure (ADR 0016): the catalog figure of goods
never counted in a warehouse is received once into the home warehouse (as the first checkout did
until now), then every variant's figure is set to the units its warehouse levels can sell."""

from django.conf import settings
from django.db import migrations
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


def _home_warehouse(Warehouse):
    found = Warehouse.objects.filter(is_active=True, country=settings.PLATFORM_COUNTRY).order_by("pk").first()
    if found is not None:
        return found
    warehouse, _created = Warehouse.objects.get_or_create(
        code="home",
        defaults={
            "name": f"{settings.PLATFORM_NAME} warehouse",
            "operator": settings.PLATFORM_NAME,
            "address": "",
            "country": settings.PLATFORM_COUNTRY,
        },
    )
    return warehouse


def count_catalog_stock(apps, schema_editor):
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    StockLevel = apps.get_model("logistics", "StockLevel")
    StockMovement = apps.get_model("logistics", "StockMovement")
    StockLot = apps.get_model("logistics", "StockLot")
    Warehouse = apps.get_model("logistics", "Warehouse")
    counted = StockLevel.objects.filter(owner__isnull=True).values_list("sku", flat=True)
    never = ProductVariant.objects.filter(stock__gt=0).exclude(sku__in=counted).select_related("product")
    now = timezone.now()
    warehouse = None
    for variant in never.order_by("sku").iterator():
        warehouse = warehouse or _home_warehouse(Warehouse)
        level = StockLevel.objects.create(
            warehouse=warehouse,
            sku=variant.sku,
            variant=variant,
            on_hand=variant.stock,
            unit_weight_grams=variant.product.weight_grams,
        )
        StockMovement.objects.create(
            stock=level,
            kind="received",
            on_hand_delta=variant.stock,
            reference=f"catalog-count:{variant.sku}",
            note="catalog count",
            created_at=now,
        )
        StockLot.objects.create(
            stock=level, received_at=now, quantity=variant.stock, remaining=variant.stock, reference="catalog count"
        )
    sellable = (
        StockLevel.objects.filter(owner__isnull=True, sku=OuterRef("sku"), warehouse__is_active=True)
        .values("sku")
        .annotate(units=Sum(F("on_hand") - F("reserved")))
        .values("units")
    )
    ProductVariant.objects.update(stock=Coalesce(Subquery(sellable, output_field=IntegerField()), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0002_goods_abroad_removed_fee_rate_precision"),
        ("catalog", "0005_files_generated_image_names"),
    ]

    operations = [migrations.RunPython(count_catalog_stock, migrations.RunPython.noop)]
