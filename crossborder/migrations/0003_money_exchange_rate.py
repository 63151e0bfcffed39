"""The exchange rate moves from the partner zone to the core's money tools (ADR 0013): state only,
the table keeps its name partner_zone_exchangerate."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crossborder", "0002_security_encrypt_signing_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExchangeRate",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("base", models.CharField(max_length=3)),
                        ("quote", models.CharField(max_length=3)),
                        (
                            "rate",
                            models.DecimalField(
                                decimal_places=8,
                                max_digits=18,
                                validators=[django.core.validators.MinValueValidator(0)],
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[("ecb", "European Central Bank reference rate"), ("manual", "entered by ops")],
                                default="manual",
                                max_length=8,
                            ),
                        ),
                        ("as_of", models.DateTimeField(verbose_name="valid from")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name": "exchange rate",
                        "verbose_name_plural": "exchange rates",
                        "db_table": "partner_zone_exchangerate",
                        "ordering": ["base", "quote", "-as_of"],
                        "indexes": [models.Index(fields=["base", "quote", "-as_of"], name="exchange_rate_latest_idx")],
                        "constraints": [
                            models.UniqueConstraint(fields=("base", "quote", "source", "as_of"), name="exchange_rate_once"),
                            models.CheckConstraint(condition=models.Q(("rate__gt", 0)), name="exchange_rate_positive"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
