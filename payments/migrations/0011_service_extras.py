"""Priced extras (installation by a local service provider) in checkouts and orders: part of the
total, so the total-is-the-sum constraints count them. Existing rows get no extras (0 in their
total's currency)."""

import django.db.models.deletion
import django.db.models.expressions
import djmoney.models.fields
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

CURRENCIES = [
    ("AUD", "Australian Dollar"),
    ("GBP", "British Pound"),
    ("CAD", "Canadian Dollar"),
    ("CNY", "Chinese Yuan"),
    ("EUR", "Euro"),
    ("HKD", "Hong Kong Dollar"),
    ("JPY", "Japanese Yen"),
    ("SGD", "Singapore Dollar"),
    ("KRW", "South Korean Won"),
    ("USD", "US Dollar"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0010_resale_graded_lines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CheckoutExtra",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("line_number", models.PositiveSmallIntegerField(verbose_name="line")),
                ("kind", models.CharField(default="service", max_length=20, verbose_name="kind")),
                ("code", models.CharField(max_length=40, verbose_name="what")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                (
                    "amount_currency",
                    djmoney.models.fields.CurrencyField(choices=CURRENCIES, default=None, editable=False, max_length=3),
                ),
                ("amount", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="amount")),
                ("detail", models.JSONField(blank=True, default=dict)),
            ],
            options={
                "verbose_name": "checkout extra",
                "verbose_name_plural": "checkout extras",
                "ordering": ["checkout_id", "line_number", "id"],
            },
        ),
        migrations.CreateModel(
            name="OrderExtra",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("line_number", models.PositiveSmallIntegerField(verbose_name="line")),
                ("kind", models.CharField(default="service", max_length=20, verbose_name="kind")),
                ("code", models.CharField(max_length=40, verbose_name="what")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                (
                    "amount_currency",
                    djmoney.models.fields.CurrencyField(choices=CURRENCIES, default=None, editable=False, max_length=3),
                ),
                ("amount", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="amount")),
                ("detail", models.JSONField(blank=True, default=dict)),
            ],
            options={
                "verbose_name": "order extra",
                "verbose_name_plural": "order extras",
                "ordering": ["order_id", "line_number", "id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="checkout",
            name="checkout_total_is_the_sum",
        ),
        migrations.RemoveConstraint(
            model_name="order",
            name="order_total_is_the_sum",
        ),
        migrations.AddField(
            model_name="checkout",
            name="extras",
            field=djmoney.models.fields.MoneyField(
                decimal_places=2,
                help_text="priced extras such as installation",
                max_digits=14,
                null=True,
                verbose_name="services",
            ),
        ),
        migrations.AddField(
            model_name="checkout",
            name="extras_currency",
            field=djmoney.models.fields.CurrencyField(
                choices=CURRENCIES, default=None, editable=False, max_length=3, null=True
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="extras",
            field=djmoney.models.fields.MoneyField(
                decimal_places=2,
                help_text="priced extras such as installation",
                max_digits=14,
                null=True,
                verbose_name="services",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="extras_currency",
            field=djmoney.models.fields.CurrencyField(
                choices=CURRENCIES, default=None, editable=False, max_length=3, null=True
            ),
        ),
        migrations.RunSQL(
            sql=[
                "UPDATE payments_checkout SET extras = 0, extras_currency = total_currency",
                "UPDATE payments_order SET extras = 0, extras_currency = total_currency",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="checkout",
            name="extras",
            field=djmoney.models.fields.MoneyField(
                decimal_places=2, help_text="priced extras such as installation", max_digits=14, verbose_name="services"
            ),
        ),
        migrations.AlterField(
            model_name="checkout",
            name="extras_currency",
            field=djmoney.models.fields.CurrencyField(choices=CURRENCIES, default=None, editable=False, max_length=3),
        ),
        migrations.AlterField(
            model_name="order",
            name="extras",
            field=djmoney.models.fields.MoneyField(
                decimal_places=2, help_text="priced extras such as installation", max_digits=14, verbose_name="services"
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="extras_currency",
            field=djmoney.models.fields.CurrencyField(choices=CURRENCIES, default=None, editable=False, max_length=3),
        ),
        migrations.AddConstraint(
            model_name="checkout",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "total__gt",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("goods"), "+", models.F("taxes")
                                    ),
                                    "+",
                                    models.F("shipping"),
                                ),
                                "+",
                                models.F("extras"),
                            ),
                            "-",
                            models.Value(Decimal("0.005")),
                        ),
                    ),
                    (
                        "total__lt",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("goods"), "+", models.F("taxes")
                                    ),
                                    "+",
                                    models.F("shipping"),
                                ),
                                "+",
                                models.F("extras"),
                            ),
                            "+",
                            models.Value(Decimal("0.005")),
                        ),
                    ),
                ),
                name="checkout_total_is_the_sum",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "total__gt",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("goods"), "+", models.F("taxes")
                                    ),
                                    "+",
                                    models.F("shipping"),
                                ),
                                "+",
                                models.F("extras"),
                            ),
                            "-",
                            models.Value(Decimal("0.005")),
                        ),
                    ),
                    (
                        "total__lt",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("goods"), "+", models.F("taxes")
                                    ),
                                    "+",
                                    models.F("shipping"),
                                ),
                                "+",
                                models.F("extras"),
                            ),
                            "+",
                            models.Value(Decimal("0.005")),
                        ),
                    ),
                ),
                name="order_total_is_the_sum",
            ),
        ),
        migrations.AddField(
            model_name="checkoutextra",
            name="checkout",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="extra_lines", to="payments.checkout"
            ),
        ),
        migrations.AddField(
            model_name="orderextra",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="extra_lines", to="payments.order"
            ),
        ),
        migrations.AddConstraint(
            model_name="checkoutextra",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)), name="checkout_extra_amount_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="checkoutextra",
            constraint=models.UniqueConstraint(
                fields=("checkout", "line_number", "kind", "code"), name="checkout_extra_once_per_line"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderextra",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)), name="order_extra_amount_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderextra",
            constraint=models.UniqueConstraint(
                fields=("order", "line_number", "kind", "code"), name="order_extra_once_per_line"
            ),
        ),
    ]
