"""The one scoring policy, with the documented defaults, so ops change it rather than add it."""

from django.db import migrations


def make_policy(apps, schema_editor):
    ScoringPolicy = apps.get_model("partners", "ScoringPolicy")
    if not ScoringPolicy.objects.exists():
        ScoringPolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_partner_scores_and_compliance")]

    operations = [migrations.RunPython(make_policy, migrations.RunPython.noop)]
