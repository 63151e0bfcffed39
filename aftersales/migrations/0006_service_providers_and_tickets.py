"""Local service providers (skills with their SLA, price lists, areas) and service tickets with
their timeline. The three skills are created with their default SLA; ops change the hours."""

import aftersales.models.service
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import djmoney.models.fields
import uuid
from django.conf import settings
from django.db import migrations, models


# skill: (hours to schedule, hours to complete), from the request
SKILLS = {"installation": (24, 72), "maintenance": (48, 120), "repair": (48, 168)}


def create_skills(apps, schema_editor):
    Skill = apps.get_model("aftersales", "Skill")
    for code, (schedule, complete) in SKILLS.items():
        Skill.objects.get_or_create(code=code, defaults={"hours_to_schedule": schedule, "hours_to_complete": complete})


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0005_returns_partner_notices_and_refund_order"),
        ("catalog", "0001_initial"),
        ("crossborder", "0004_notifications"),
        ("payments", "0004_orders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceProvider",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("contact_name", models.CharField(blank=True, max_length=120, verbose_name="contact person")),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail")),
                ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                (
                    "language",
                    models.CharField(
                        default=aftersales.models.service.platform_language,
                        help_text="a language code, e.g. zh-hans or en",
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("link_version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "link_issued_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="link issued"),
                ),
                ("notes", models.TextField(blank=True, max_length=2000, verbose_name="notes")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "service provider",
                "verbose_name_plural": "service providers",
                "ordering": ["name", "id"],
            },
        ),
        migrations.CreateModel(
            name="Skill",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        choices=[
                            ("installation", "installation"),
                            ("maintenance", "maintenance"),
                            ("repair", "repair"),
                        ],
                        max_length=20,
                        unique=True,
                        verbose_name="skill",
                    ),
                ),
                (
                    "hours_to_schedule",
                    models.PositiveIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)], verbose_name="hours to schedule"
                    ),
                ),
                (
                    "hours_to_complete",
                    models.PositiveIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)], verbose_name="hours to complete"
                    ),
                ),
            ],
            options={
                "verbose_name": "service skill",
                "verbose_name_plural": "service skills",
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("hours_to_schedule__gte", 1)), name="skill_schedule_hours_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("hours_to_complete__gte", models.F("hours_to_schedule"))),
                        name="skill_complete_after_schedule",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ServiceTicket",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("token", models.CharField(editable=False, max_length=32, unique=True)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("checkout", "chosen at checkout"),
                            ("order", "asked for after delivery"),
                            ("return", "asked for from a return"),
                            ("ops", "opened by the platform"),
                        ],
                        max_length=10,
                        verbose_name="source",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("requested", "requested"),
                            ("dispatched", "sent to a provider"),
                            ("accepted", "accepted by the provider"),
                            ("scheduled", "scheduled"),
                            ("completed", "completed"),
                            ("escalated", "escalated to the platform"),
                            ("cancelled", "cancelled"),
                        ],
                        default="requested",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="what")),
                ("problem", models.TextField(blank=True, max_length=2000, verbose_name="what the shopper says")),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("email", models.EmailField(max_length=254, verbose_name="e-mail")),
                ("phone", models.CharField(max_length=40, verbose_name="phone")),
                (
                    "address",
                    models.JSONField(
                        default=dict, help_text="address_lines, city, postcode, country", verbose_name="address"
                    ),
                ),
                ("city", models.CharField(max_length=120, verbose_name="city")),
                ("postcode", models.CharField(blank=True, max_length=20, verbose_name="postcode")),
                ("language", models.CharField(default=aftersales.models.service.platform_language, max_length=10)),
                ("dispatched_by_ops", models.BooleanField(default=False, help_text="chosen by ops, not by the rule")),
                ("scheduled_for", models.DateTimeField(blank=True, null=True, verbose_name="appointment")),
                ("schedule_due_at", models.DateTimeField(verbose_name="to be scheduled by")),
                ("complete_due_at", models.DateTimeField(verbose_name="to be completed by")),
                (
                    "schedule_breached_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="scheduling SLA missed at"),
                ),
                (
                    "complete_breached_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="completion SLA missed at"),
                ),
                (
                    "payer",
                    models.CharField(
                        choices=[("shopper", "the shopper"), ("platform", "the platform"), ("partner", "the partner")],
                        max_length=10,
                        verbose_name="who pays",
                    ),
                ),
                ("quantity", models.PositiveSmallIntegerField(default=1, verbose_name="units")),
                (
                    "price_currency",
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
                ("price", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="price")),
                (
                    "paid_in_order",
                    models.BooleanField(default=False, help_text="the shopper paid the price with the order"),
                ),
                (
                    "cost_currency",
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
                    "cost",
                    djmoney.models.fields.MoneyField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="provider's price"
                    ),
                ),
                (
                    "rating",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="rating",
                    ),
                ),
                ("rating_comment", models.TextField(blank=True, max_length=2000, verbose_name="comment")),
                ("rated_at", models.DateTimeField(blank=True, null=True)),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="requested")),
                ("completed_at", models.DateTimeField(blank=True, null=True, verbose_name="completed")),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="payments.order",
                    ),
                ),
                (
                    "order_line",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="payments.orderline",
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        blank=True,
                        help_text="whose goods, when they are a partner's",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="crossborder.partnership",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.product",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="aftersales.serviceprovider",
                        verbose_name="provider",
                    ),
                ),
                (
                    "return_request",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="service_tickets",
                        to="aftersales.returnrequest",
                    ),
                ),
                (
                    "thread",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="service_ticket",
                        to="aftersales.thread",
                    ),
                ),
                (
                    "skill",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="aftersales.skill",
                        verbose_name="skill",
                    ),
                ),
            ],
            options={
                "verbose_name": "service ticket",
                "verbose_name_plural": "service tickets",
                "ordering": ["-requested_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ProviderSkill",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "price_currency",
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
                ("price", djmoney.models.fields.MoneyField(decimal_places=2, max_digits=14, verbose_name="price")),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="skills",
                        to="aftersales.serviceprovider",
                    ),
                ),
                (
                    "skill",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="aftersales.skill"
                    ),
                ),
            ],
            options={
                "verbose_name": "skill and price",
                "verbose_name_plural": "skills and prices",
                "ordering": ["provider_id", "skill_id"],
            },
        ),
        migrations.CreateModel(
            name="TicketEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("requested", "requested"),
                            ("dispatched", "sent to a provider"),
                            ("accepted", "accepted by the provider"),
                            ("scheduled", "appointment set"),
                            ("completed", "completed"),
                            ("escalated", "escalated to the platform"),
                            ("cancelled", "cancelled"),
                            ("sla_breached", "service level missed"),
                            ("rated", "rated"),
                            ("not_dispatched", "no provider available"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "actor",
                    models.CharField(
                        choices=[
                            ("shopper", "shopper"),
                            ("provider", "service provider"),
                            ("staff", "platform staff"),
                            ("system", "platform"),
                        ],
                        max_length=10,
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=300)),
                ("detail", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "staff",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="aftersales.serviceticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket event",
                "verbose_name_plural": "ticket events",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="ServiceArea",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("city", models.CharField(blank=True, max_length=120, verbose_name="city")),
                ("city_key", models.CharField(blank=True, db_index=True, editable=False, max_length=120)),
                (
                    "postcode_prefix",
                    models.CharField(blank=True, db_index=True, max_length=20, verbose_name="postcodes starting with"),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="areas",
                        to="aftersales.serviceprovider",
                    ),
                ),
            ],
            options={
                "verbose_name": "service area",
                "verbose_name_plural": "service areas",
                "ordering": ["provider_id", "city_key", "postcode_prefix"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("city_key", ""), _negated=True),
                            models.Q(("postcode_prefix", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="service_area_says_where",
                    ),
                    models.UniqueConstraint(
                        fields=("provider", "city_key", "postcode_prefix"), name="service_area_once"
                    ),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="serviceticket",
            index=models.Index(fields=["status", "schedule_due_at"], name="ticket_schedule_due_idx"),
        ),
        migrations.AddIndex(
            model_name="serviceticket",
            index=models.Index(fields=["status", "complete_due_at"], name="ticket_complete_due_idx"),
        ),
        migrations.AddIndex(
            model_name="serviceticket",
            index=models.Index(fields=["provider", "status"], name="ticket_provider_open_idx"),
        ),
        migrations.AddConstraint(
            model_name="serviceticket",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rating__isnull", True),
                    models.Q(("completed_at__isnull", False), ("rating__gte", 1), ("rating__lte", 5)),
                    _connector="OR",
                ),
                name="ticket_rating_1_to_5_after_completion",
            ),
        ),
        migrations.AddConstraint(
            model_name="serviceticket",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["requested", "escalated", "cancelled"]),
                    ("provider__isnull", False),
                    _connector="OR",
                ),
                name="ticket_has_provider_once_dispatched",
            ),
        ),
        migrations.AddConstraint(
            model_name="serviceticket",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "completed"), _negated=True),
                    models.Q(("completed_at__isnull", False), ("cost__isnull", False)),
                    _connector="OR",
                ),
                name="ticket_completed_has_time_and_cost",
            ),
        ),
        migrations.AddConstraint(
            model_name="serviceticket",
            constraint=models.CheckConstraint(condition=models.Q(("price__gte", 0)), name="ticket_price_not_negative"),
        ),
        migrations.AddConstraint(
            model_name="serviceticket",
            constraint=models.CheckConstraint(
                condition=models.Q(("order_line__isnull", True), ("order__isnull", False), _connector="OR"),
                name="ticket_line_has_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="serviceticket",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", "checkout")),
                fields=("order_line", "skill"),
                name="ticket_checkout_line_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerskill",
            constraint=models.UniqueConstraint(fields=("provider", "skill"), name="provider_skill_once"),
        ),
        migrations.AddConstraint(
            model_name="providerskill",
            constraint=models.CheckConstraint(
                condition=models.Q(("price__gt", 0)), name="provider_skill_price_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="ticketevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "sla_breached")),
                fields=("ticket", "kind", "note"),
                name="ticket_breach_event_once",
            ),
        ),
        migrations.RunPython(create_skills, migrations.RunPython.noop),
    ]
