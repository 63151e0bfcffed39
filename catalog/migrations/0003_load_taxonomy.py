"""Load the shipped subset of the shared category taxonomy (catalog/data/taxonomy.tsv)."""

from django.db import migrations


def load(apps, schema_editor):
    from catalog.taxonomy import load_rows, read_rows

    load_rows(apps.get_model("catalog", "Category"), read_rows())


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_postgres_search_indexes")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
