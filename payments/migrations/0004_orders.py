"""Carts, checkouts, orders, their events and customs declarations, and the orders partners
forward to us. On PostgreSQL order numbers come from the sequence payments_order_number_seq; on
SQLite from the OrderNumber table's AUTOINCREMENT ids (see payments.services.orders)."""

import uuid
from decimal import Decimal

import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
import djmoney.models.fields
from django.conf import settings
from django.db import migrations, models

SEQUENCE = "payments_order_number_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH 100001 INCREMENT BY 1 NO CYCLE")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_payment_providers"),
        ("catalog", "0004_price_sort_indexes"),
        ("crossborder", "0001_initial"),
        ("logistics", "0002_goods_abroad_removed_fee_rate_precision"),
        ("partner_zone", "0005_zone_page_generation_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderNumber",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "order number",
                "verbose_name_plural": "order numbers",
            },
        ),
        migrations.CreateModel(
            name="Cart",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("session_key", models.CharField(blank=True, max_length=64)),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "open"), ("merged", "merged into the shopper's cart")],
                        default="open",
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="payments.cart",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="carts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "cart",
                "verbose_name_plural": "carts",
            },
        ),
        migrations.CreateModel(
            name="CartLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "origin",
                    models.CharField(choices=[("own", "our own goods"), ("partner", "partner goods")], max_length=8),
                ),
                ("sku", models.CharField(max_length=64, verbose_name="SKU")),
                ("quantity", models.PositiveIntegerField(verbose_name="quantity")),
                ("added_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "cart",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="payments.cart"
                    ),
                ),
                (
                    "listing",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partner_zone.partnerlisting",
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="crossborder.partnership",
                    ),
                ),
                (
                    "variant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.productvariant",
                    ),
                ),
            ],
            options={
                "verbose_name": "cart line",
                "verbose_name_plural": "cart lines",
                "ordering": ["added_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="Checkout",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "open"),
                            ("ordered", "ordered"),
                            ("expired", "expired"),
                            ("replaced", "replaced by a newer checkout"),
                        ],
                        default="open",
                        max_length=8,
                    ),
                ),
                (
                    "goods_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                ("goods", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="goods")),
                (
                    "taxes_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "taxes",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="duties and taxes"),
                ),
                (
                    "shipping_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "shipping",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="shipping"),
                ),
                (
                    "total_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                ("total", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="total")),
                (
                    "cbec_value_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                        null=True,
                    ),
                ),
                (
                    "cbec_value",
                    djmoney.models.fields.MoneyField(
                        blank=True,
                        decimal_places=2,
                        help_text="goods and freight under the CBEC limits",
                        max_digits=14,
                        null=True,
                        verbose_name="cross-border retail value",
                    ),
                ),
                ("recipient", models.JSONField(default=dict, verbose_name="recipient")),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail")),
                ("buyer_name", models.CharField(blank=True, max_length=60, verbose_name="buyer's real name")),
                ("buyer_id_number", models.CharField(blank=True, max_length=18, verbose_name="resident ID number")),
                ("expires_at", models.DateTimeField(verbose_name="quote valid until")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "cart",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="checkouts",
                        to="payments.cart",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name": "checkout",
                "verbose_name_plural": "checkouts",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="CheckoutLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("line_number", models.PositiveSmallIntegerField()),
                (
                    "origin",
                    models.CharField(
                        choices=[("own", "our own goods"), ("partner", "partner goods")],
                        max_length=8,
                        verbose_name="origin",
                    ),
                ),
                (
                    "fulfilment",
                    models.CharField(
                        choices=[
                            ("own_stock", "own stock"),
                            ("consignment", "partner consignment stock in our warehouse"),
                            ("direct", "cross-border direct from the partner"),
                        ],
                        max_length=12,
                        verbose_name="fulfilment",
                    ),
                ),
                ("sku", models.CharField(max_length=64, verbose_name="SKU")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("hs_code", models.CharField(blank=True, max_length=6, verbose_name="HS code")),
                ("quantity", models.PositiveIntegerField(verbose_name="quantity")),
                (
                    "unit_price_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "unit_price",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="unit price"),
                ),
                (
                    "goods_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                ("goods", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="goods")),
                (
                    "taxes_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "taxes",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="duties and taxes"),
                ),
                (
                    "shipping_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "shipping",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="shipping"),
                ),
                (
                    "total_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                ("total", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="total")),
                (
                    "dutiable_value_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                        null=True,
                    ),
                ),
                (
                    "dutiable_value",
                    djmoney.models.fields.MoneyField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="dutiable value"
                    ),
                ),
                (
                    "taxes_detail",
                    models.JSONField(blank=True, default=dict, help_text="regime, duty, VAT, consumption tax"),
                ),
                (
                    "export_amount_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                        null=True,
                    ),
                ),
                (
                    "export_amount",
                    djmoney.models.fields.MoneyField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="export amount"
                    ),
                ),
                (
                    "direct_units",
                    models.PositiveIntegerField(
                        default=0, help_text="units taken from the listing's direct-sale stock"
                    ),
                ),
                (
                    "checkout",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="payments.checkout"
                    ),
                ),
                (
                    "listing",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="partner_zone.partnerlisting",
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="crossborder.partnership",
                    ),
                ),
                (
                    "reservation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="logistics.reservation",
                    ),
                ),
                (
                    "variant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.productvariant",
                    ),
                ),
            ],
            options={
                "verbose_name": "checkout line",
                "verbose_name_plural": "checkout lines",
                "ordering": ["checkout_id", "line_number"],
            },
        ),
        migrations.CreateModel(
            name="ForwardedOrder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.UUIDField(verbose_name="partner's order")),
                ("number", models.CharField(max_length=40, verbose_name="partner's order number")),
                ("status", models.CharField(default="paid", max_length=16, verbose_name="status")),
                ("lines", models.JSONField(default=list)),
                ("recipient", models.JSONField(blank=True, default=dict, help_text="for lines we ship direct")),
                ("placed_at", models.DateTimeField()),
                ("received_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="forwarded_orders",
                        to="crossborder.partnership",
                    ),
                ),
            ],
            options={
                "verbose_name": "order from a partner",
                "verbose_name_plural": "orders from partners",
                "ordering": ["-received_at"],
            },
        ),
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(unique=True, verbose_name="order number")),
                ("token", models.CharField(editable=False, max_length=32, unique=True)),
                ("reference", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("awaiting_payment", "awaiting payment"),
                            ("paid", "paid"),
                            ("shipped", "shipped"),
                            ("delivered", "delivered"),
                            ("cancelled", "cancelled"),
                            ("expired", "payment not received in time"),
                        ],
                        default="awaiting_payment",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                (
                    "goods_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                ("goods", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="goods")),
                (
                    "taxes_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "taxes",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="duties and taxes"),
                ),
                (
                    "shipping_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "shipping",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="shipping"),
                ),
                (
                    "total_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                ("total", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="total")),
                (
                    "cbec_value_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                        null=True,
                    ),
                ),
                (
                    "cbec_value",
                    djmoney.models.fields.MoneyField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="cross-border retail value"
                    ),
                ),
                ("recipient", models.JSONField(default=dict, verbose_name="recipient")),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail")),
                ("buyer_name", models.CharField(blank=True, max_length=60, verbose_name="buyer's real name")),
                (
                    "buyer_id_number",
                    models.CharField(blank=True, db_index=True, max_length=18, verbose_name="resident ID number"),
                ),
                ("has_partner_goods", models.BooleanField(default=False)),
                ("payment_due_at", models.DateTimeField(verbose_name="pay by")),
                ("payment_reference", models.CharField(blank=True, max_length=120, verbose_name="payment")),
                ("placed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="placed at")),
                ("paid_at", models.DateTimeField(blank=True, null=True, verbose_name="paid at")),
                (
                    "checkout",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="order", to="payments.checkout"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="orders",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "order",
                "verbose_name_plural": "orders",
                "ordering": ["-number"],
            },
        ),
        migrations.CreateModel(
            name="CustomsDeclaration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "draft (awaiting payment)"),
                            ("ready", "ready to declare"),
                            ("cancelled", "cancelled"),
                        ],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("order_record", models.JSONField(default=dict, verbose_name="order record")),
                ("payment_record", models.JSONField(blank=True, default=dict, verbose_name="payment record")),
                ("waybill_record", models.JSONField(blank=True, default=dict, verbose_name="waybill record")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "order",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="customs_declaration",
                        to="payments.order",
                    ),
                ),
            ],
            options={
                "verbose_name": "customs declaration",
                "verbose_name_plural": "customs declarations",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="OrderEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("placed", "order placed"),
                            ("paid", "payment received"),
                            ("forwarded", "forwarded to the partner"),
                            ("status", "status changed"),
                            ("partner_status", "status from the partner"),
                            ("expired", "payment not received in time"),
                            ("cancelled", "cancelled"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("awaiting_payment", "awaiting payment"),
                            ("paid", "paid"),
                            ("shipped", "shipped"),
                            ("delivered", "delivered"),
                            ("cancelled", "cancelled"),
                            ("expired", "payment not received in time"),
                        ],
                        max_length=16,
                    ),
                ),
                ("by_partner", models.BooleanField(default=False)),
                ("detail", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="events", to="payments.order"
                    ),
                ),
            ],
            options={
                "verbose_name": "order event",
                "verbose_name_plural": "order events",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="OrderLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("line_number", models.PositiveSmallIntegerField()),
                (
                    "origin",
                    models.CharField(
                        choices=[("own", "our own goods"), ("partner", "partner goods")],
                        max_length=8,
                        verbose_name="origin",
                    ),
                ),
                (
                    "fulfilment",
                    models.CharField(
                        choices=[
                            ("own_stock", "own stock"),
                            ("consignment", "partner consignment stock in our warehouse"),
                            ("direct", "cross-border direct from the partner"),
                        ],
                        max_length=12,
                        verbose_name="fulfilment",
                    ),
                ),
                ("sku", models.CharField(max_length=64, verbose_name="SKU")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("hs_code", models.CharField(blank=True, max_length=6, verbose_name="HS code")),
                ("quantity", models.PositiveIntegerField(verbose_name="quantity")),
                (
                    "unit_price_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "unit_price",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="unit price"),
                ),
                (
                    "goods_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                ("goods", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="goods")),
                (
                    "taxes_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "taxes",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="duties and taxes"),
                ),
                (
                    "shipping_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                (
                    "shipping",
                    djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="shipping"),
                ),
                (
                    "total_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                    ),
                ),
                ("total", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="total")),
                (
                    "dutiable_value_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                        null=True,
                    ),
                ),
                (
                    "dutiable_value",
                    djmoney.models.fields.MoneyField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="dutiable value"
                    ),
                ),
                (
                    "taxes_detail",
                    models.JSONField(blank=True, default=dict, help_text="regime, duty, VAT, consumption tax"),
                ),
                (
                    "export_amount_currency",
                    djmoney.models.fields.CurrencyField(
                        choices=[
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
                        ],
                        default=None,
                        editable=False,
                        max_length=3,
                        null=True,
                    ),
                ),
                (
                    "export_amount",
                    djmoney.models.fields.MoneyField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="export amount"
                    ),
                ),
                (
                    "direct_units",
                    models.PositiveIntegerField(
                        default=0, help_text="units taken from the listing's direct-sale stock"
                    ),
                ),
                (
                    "listing",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="partner_zone.partnerlisting",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="payments.order"
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="crossborder.partnership",
                    ),
                ),
                (
                    "reservation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="logistics.reservation",
                    ),
                ),
                (
                    "variant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.productvariant",
                    ),
                ),
            ],
            options={
                "verbose_name": "order line",
                "verbose_name_plural": "order lines",
                "ordering": ["order_id", "line_number"],
            },
        ),
        migrations.AddConstraint(
            model_name="cart",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("session_key", ""), _negated=True), ("user__isnull", False), _connector="OR"
                ),
                name="cart_has_owner",
            ),
        ),
        migrations.AddConstraint(
            model_name="cart",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open")), fields=("user",), name="cart_one_open_per_user"
            ),
        ),
        migrations.AddConstraint(
            model_name="cart",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open"), models.Q(("session_key", ""), _negated=True)),
                fields=("session_key",),
                name="cart_one_open_per_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="cartline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("listing__isnull", True), ("origin", "own"), ("variant__isnull", False)),
                    models.Q(
                        ("listing__isnull", False),
                        ("origin", "partner"),
                        ("partnership__isnull", False),
                        ("variant__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="cart_line_one_source",
            ),
        ),
        migrations.AddConstraint(
            model_name="cartline",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gte", 1)), name="cart_line_quantity_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="cartline",
            constraint=models.UniqueConstraint(fields=("cart", "origin", "sku"), name="cart_line_sku_once"),
        ),
        migrations.AddIndex(
            model_name="checkout",
            index=models.Index(fields=["status", "expires_at"], name="checkout_expiry_idx"),
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
                                    models.F("goods"), "+", models.F("taxes")
                                ),
                                "+",
                                models.F("shipping"),
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
                                    models.F("goods"), "+", models.F("taxes")
                                ),
                                "+",
                                models.F("shipping"),
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
            model_name="checkout",
            constraint=models.CheckConstraint(condition=models.Q(("total__gt", 0)), name="checkout_total_positive"),
        ),
        migrations.AddConstraint(
            model_name="checkout",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("buyer_id_number", ""), ("buyer_id_number__regex", "^[0-9]{17}[0-9X]$"), _connector="OR"
                ),
                name="checkout_id_number_form",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkoutline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("listing__isnull", True), ("origin", "own"), ("variant__isnull", False)),
                    models.Q(
                        ("listing__isnull", False),
                        ("origin", "partner"),
                        ("partnership__isnull", False),
                        ("variant__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="checkout_line_one_source",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkoutline",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gte", 1)), name="checkout_line_quantity_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="checkoutline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "total__gt",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    models.F("goods"), "+", models.F("taxes")
                                ),
                                "+",
                                models.F("shipping"),
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
                                    models.F("goods"), "+", models.F("taxes")
                                ),
                                "+",
                                models.F("shipping"),
                            ),
                            "+",
                            models.Value(Decimal("0.005")),
                        ),
                    ),
                ),
                name="checkout_line_total_is_the_sum",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkoutline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("fulfilment", "own_stock"), ("origin", "own")),
                    models.Q(("origin", "partner"), models.Q(("fulfilment", "own_stock"), _negated=True)),
                    _connector="OR",
                ),
                name="checkout_line_fulfilment_matches_origin",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkoutline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("fulfilment", "direct"), ("reservation__isnull", True)),
                    models.Q(
                        models.Q(("fulfilment", "direct"), _negated=True),
                        ("direct_units", 0),
                        ("reservation__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="checkout_line_held_where_it_ships_from",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkoutline",
            constraint=models.UniqueConstraint(fields=("checkout", "line_number"), name="checkout_line_number_once"),
        ),
        migrations.AddConstraint(
            model_name="forwardedorder",
            constraint=models.UniqueConstraint(fields=("partnership", "reference"), name="forwarded_order_once"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["status", "payment_due_at"], name="order_payment_due_idx"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["user", "-placed_at"], name="order_user_recent_idx"),
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
                                    models.F("goods"), "+", models.F("taxes")
                                ),
                                "+",
                                models.F("shipping"),
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
                                    models.F("goods"), "+", models.F("taxes")
                                ),
                                "+",
                                models.F("shipping"),
                            ),
                            "+",
                            models.Value(Decimal("0.005")),
                        ),
                    ),
                ),
                name="order_total_is_the_sum",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(condition=models.Q(("total__gt", 0)), name="order_total_positive"),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["awaiting_payment", "expired", "cancelled"]),
                    models.Q(models.Q(("payment_reference", ""), _negated=True), ("paid_at__isnull", False)),
                    _connector="OR",
                ),
                name="order_paid_has_payment",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("listing__isnull", True), ("origin", "own"), ("variant__isnull", False)),
                    models.Q(
                        ("listing__isnull", False),
                        ("origin", "partner"),
                        ("partnership__isnull", False),
                        ("variant__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="order_line_one_source",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gte", 1)), name="order_line_quantity_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "total__gt",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    models.F("goods"), "+", models.F("taxes")
                                ),
                                "+",
                                models.F("shipping"),
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
                                    models.F("goods"), "+", models.F("taxes")
                                ),
                                "+",
                                models.F("shipping"),
                            ),
                            "+",
                            models.Value(Decimal("0.005")),
                        ),
                    ),
                ),
                name="order_line_total_is_the_sum",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("fulfilment", "own_stock"), ("origin", "own")),
                    models.Q(("origin", "partner"), models.Q(("fulfilment", "own_stock"), _negated=True)),
                    _connector="OR",
                ),
                name="order_line_fulfilment_matches_origin",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("fulfilment", "direct"), ("reservation__isnull", True)),
                    models.Q(
                        models.Q(("fulfilment", "direct"), _negated=True),
                        ("direct_units", 0),
                        ("reservation__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="order_line_held_where_it_ships_from",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.UniqueConstraint(fields=("order", "line_number"), name="order_line_number_once"),
        ),
        migrations.RunPython(create_sequence, drop_sequence),
    ]
