"""PostgreSQL-only indexes: a GIN index on the stored tsvector for full-text search. SQLite (the
embedded default) has no GIN indexes and searches by substring instead, so this is a no-op there."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

INDEX = GinIndex(fields=["search_vector"], name="product_search_vector_gin")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("catalog", "Product"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("catalog", "Product"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
