"""Load the shipped rule data (partner_zone/rules_data/, read by partner_zone/rules.py): China's and
the United States' duty rules, the CNY and USD rounding rules and the festival calendar of 2025 to
2028 (`manage.py load_rules` adds later years). Idempotent: rows that exist are kept."""

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
    dependencies = [("partner_zone", "0002_postgres_search_index")]

    operations = [migrations.RunPython(load_rules, migrations.RunPython.noop)]
