"""PostgreSQL-only: a GIN index on the listings' stored tsvector (SQLite searches by substring)."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

INDEX = GinIndex(fields=["search_vector"], name="listing_search_vector_gin")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("partner_zone", "PartnerListing"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("partner_zone", "PartnerListing"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("partner_zone", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
