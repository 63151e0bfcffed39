"""Japanese festival names: the column, and the shipped festivals' names from
partner_zone/rules_data/festivals.json (partner_zone/rules.py). Festivals ops added keep an empty
name (shown in English); a Japanese name already written is kept."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from partner_zone import rules

    rules.fill_festival_names_ja(apps.get_model("partner_zone", "Festival"))


class Migration(migrations.Migration):
    dependencies = [("partner_zone", "0019_load_japan_rules")]

    operations = [
        migrations.AddField(
            model_name="festival",
            name="name_ja",
            field=models.CharField(blank=True, default="", max_length=80, verbose_name="name (Japanese)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
