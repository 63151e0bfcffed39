"""The exchange rate now belongs to the core (crossborder.ExchangeRate, ADR 0013): forget it here,
state only; the table partner_zone_exchangerate stays and is the core model's."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("crossborder", "0003_money_exchange_rate"),
        ("partner_zone", "0008_logistics_aged_markdowns"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExchangeRate")],
            database_operations=[],
        ),
    ]
