"""Japanese category names: the column, filled from the shipped taxonomy (catalog/data/taxonomy.tsv)
by the same idempotent loader the taxonomy was loaded with."""

from django.db import migrations, models


def load(apps, schema_editor):
    from catalog.taxonomy import load_rows, read_rows

    load_rows(apps.get_model("catalog", "Category"), read_rows())


class Migration(migrations.Migration):
    dependencies = [("catalog", "0015_membership_merchant_label")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_ja",
            field=models.CharField(blank=True, default="", max_length=120, verbose_name="name (Japanese)"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
