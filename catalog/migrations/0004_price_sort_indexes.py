"""Indexes in the storefront's price sort orders (price, then newest). The descending ones sort
NULLS LAST, which SQLite cannot put in an index: they are created on PostgreSQL only (SQLite, the
embedded default, serves small catalogs that do not need them)."""

from django.db import migrations, models
from django.db.models import F

DESCENDING = [
    models.Index(
        F("status"),
        F("price").desc(nulls_last=True),
        F("created_at").desc(),
        F("id").desc(),
        name="product_price_desc_idx",
    ),
    models.Index(
        F("status"),
        F("brand"),
        F("price").desc(nulls_last=True),
        F("created_at").desc(),
        F("id").desc(),
        name="product_brand_price_desc_idx",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in DESCENDING:
            schema_editor.add_index(apps.get_model("catalog", "Product"), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in DESCENDING:
            schema_editor.remove_index(apps.get_model("catalog", "Product"), index)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_load_taxonomy")]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                F("status"), F("price").asc(), F("created_at").desc(), F("id").desc(), name="product_price_asc_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                F("status"),
                F("brand"),
                F("price").asc(),
                F("created_at").desc(),
                F("id").desc(),
                name="product_brand_price_asc_idx",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
