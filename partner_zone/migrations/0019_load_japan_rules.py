"""Load Japan's shipped rule data into databases made before it was added (partner_zone/rules.py):
Japan's duty rules, the JPY rounding bands and Japan's festivals. Idempotent: rows that exist
(perhaps edited by ops) are kept."""

from django.db import migrations


def load_rules(apps, schema_editor):
    from partner_zone import rules

    rules.load(
        DutyRule=apps.get_model("partner_zone", "DutyRule"),
        RoundingRule=apps.get_model("partner_zone", "RoundingRule"),
        Festival=apps.get_model("partner_zone", "Festival"),
        FestivalDate=apps.get_model("partner_zone", "FestivalDate"),
    )


class Migration(migrations.Migration):
    dependencies = [("partner_zone", "0018_history_texts_translatable")]

    operations = [migrations.RunPython(load_rules, migrations.RunPython.noop)]
