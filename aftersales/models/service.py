"""Local service providers and their tickets: who installs, maintains and repairs goods in the
shopper's own country, where and at what price, and each job from request to rating, with its
SLA clock per skill (docs/adr/0020)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossborder import money

from .threads import Thread


def platform_language():
    """The platform's default language (a callable, so that migrations do not depend on the instance)."""
    return settings.LANGUAGE_CODE


class Skill(models.Model):
    """What a provider can be sent to do, with its service-level agreement: a ticket must be
    scheduled within `hours_to_schedule` and completed within `hours_to_complete` of its request."""

    class Code(models.TextChoices):
        INSTALLATION = "installation", _("installation")
        MAINTENANCE = "maintenance", _("maintenance")
        REPAIR = "repair", _("repair")

    code = models.CharField(_("skill"), max_length=20, choices=Code.choices, unique=True)
    hours_to_schedule = models.PositiveIntegerField(_("hours to schedule"), validators=[MinValueValidator(1)])
    hours_to_complete = models.PositiveIntegerField(_("hours to complete"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("service skill")
        verbose_name_plural = _("service skills")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(hours_to_schedule__gte=1), name="skill_schedule_hours_positive"),
            models.CheckConstraint(
                condition=Q(hours_to_complete__gte=models.F("hours_to_schedule")),
                name="skill_complete_after_schedule",
            ),
        ]

    def __str__(self):
        return self.get_code_display()


class ServiceProvider(models.Model):
    """A local business ops registered: its skills with their prices, the area it serves, its
    contact. It works through its own page, reached by a signed link (no account, no admin): the
    link names the provider and `link_version`; ops revoke every link by issuing a new one, and a
    link expires (settings.SERVICE_TICKETS["PROVIDER_LINK_DAYS"]). Nothing secret is stored."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=10, default=platform_language, help_text=_("a language code, e.g. zh-hans or en")
    )
    is_active = models.BooleanField(_("active"), default=True)
    link_version = models.PositiveIntegerField(default=1, editable=False)
    link_issued_at = models.DateTimeField(_("link issued"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class ProviderSkill(models.Model):
    """One line of a provider's price list: a skill and what it charges for it, in local currency."""

    provider = models.ForeignKey(ServiceProvider, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    price = money.money_field(_("price"))

    class Meta:
        verbose_name = _("skill and price")
        verbose_name_plural = _("skills and prices")
        ordering = ["provider_id", "skill_id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "skill"], name="provider_skill_once"),
            models.CheckConstraint(condition=Q(price__gt=0), name="provider_skill_price_positive"),
        ]

    def __str__(self):
        return f"{self.skill}: {self.price}"


class ServiceArea(models.Model):
    """Where a provider works: a whole city, or postcodes starting with a prefix (or both: that
    prefix within that city). `city_key` is the city as matched (case-folded, spaces trimmed)."""

    provider = models.ForeignKey(ServiceProvider, on_delete=models.CASCADE, related_name="areas")
    city = models.CharField(_("city"), max_length=120, blank=True)
    city_key = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    postcode_prefix = models.CharField(_("postcodes starting with"), max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["provider_id", "city_key", "postcode_prefix"]
        constraints = [
            models.CheckConstraint(condition=~Q(city_key="") | ~Q(postcode_prefix=""), name="service_area_says_where"),
            models.UniqueConstraint(fields=["provider", "city_key", "postcode_prefix"], name="service_area_once"),
        ]

    def __str__(self):
        return " ".join(part for part in (self.city, self.postcode_prefix and f"{self.postcode_prefix}*") if part)

    def save(self, *args, **kwargs):
        self.city_key = city_key(self.city)
        self.postcode_prefix = self.postcode_prefix.strip().upper()
        super().save(*args, **kwargs)


def city_key(city):
    return " ".join(str(city or "").split()).casefold()


class ServiceTicket(models.Model):
    """One job for a local provider: installing, maintaining or repairing goods at the shopper's
    address. `token` is the shopper's page; `reference` its name in the ledger. The SLA due times
    are set from the request by the skill's hours; a missed one is recorded once, with when."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "unpaid", _("awaiting your payment")
        REQUESTED = "requested", _("requested")
        DISPATCHED = "dispatched", _("sent to a provider")
        ACCEPTED = "accepted", _("accepted by the provider")
        SCHEDULED = "scheduled", _("scheduled")
        COMPLETED = "completed", _("completed")
        ESCALATED = "escalated", _("escalated to the platform")
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        CHECKOUT = "checkout", _("chosen at checkout")
        ORDER = "order", _("asked for after delivery")
        RETURN = "return", _("asked for from a return")
        OPS = "ops", _("opened by the platform")
        RETURNED_UNIT = "unit", _("a returned unit to repair")

    class Payer(models.TextChoices):
        SHOPPER = "shopper", _("the shopper")
        PLATFORM = "platform", _("the platform")
        PARTNER = "partner", _("the partner")

    OPEN = (
        Status.AWAITING_PAYMENT,
        Status.REQUESTED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.SCHEDULED,
        Status.ESCALATED,
    )

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token = models.CharField(max_length=32, unique=True, editable=False)
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("skill"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    # What: a line of an order (with its goods), or a product of ours without an order.
    order = models.ForeignKey("payments.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey(
        "payments.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_request = models.ForeignKey(
        "aftersales.ReturnRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="service_tickets"
    )
    return_unit = models.ForeignKey(
        "aftersales.ReturnUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repair_tickets",
        help_text=_("a returned unit repaired at the warehouse (disposition repair)"),
    )
    partnership = models.ForeignKey(
        "crossborder.Partnership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("whose goods, when they are a partner's"),
    )
    title = models.CharField(_("what"), max_length=300)
    problem = models.TextField(_("what the shopper says"), max_length=2000, blank=True)
    # The shopper: contact and where the job is.
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40)
    address = models.JSONField(_("address"), default=dict, help_text=_("address_lines, city, postcode, country"))
    city = models.CharField(_("city"), max_length=120)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    language = models.CharField(max_length=10, default=platform_language)
    # Who does it, when, and the clock.
    provider = models.ForeignKey(
        ServiceProvider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("provider"),
    )
    dispatched_by_ops = models.BooleanField(default=False, help_text=_("chosen by ops, not by the rule"))
    scheduled_for = models.DateTimeField(_("appointment"), null=True, blank=True)
    schedule_due_at = models.DateTimeField(_("to be scheduled by"))
    complete_due_at = models.DateTimeField(_("to be completed by"))
    schedule_breached_at = models.DateTimeField(_("scheduling SLA missed at"), null=True, blank=True)
    complete_breached_at = models.DateTimeField(_("completion SLA missed at"), null=True, blank=True)
    # Money: what the payer is charged (the shopper's part was paid with the order), what the
    # provider charges us, and who pays by the agreement.
    payer = models.CharField(_("who pays"), max_length=10, choices=Payer.choices)
    quantity = models.PositiveSmallIntegerField(_("units"), default=1)
    price = money.money_field(_("price"))
    paid_in_order = models.BooleanField(default=False, help_text=_("the shopper paid the price with the order"))
    payment_token = models.CharField(
        max_length=43, blank=True, help_text=_("the payment of its own the shopper paid the price with")
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cost = money.money_field(_("provider's price"), null=True, blank=True)
    # The shopper's rating once it is done.
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment"), max_length=2000, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    thread = models.OneToOneField(Thread, on_delete=models.PROTECT, related_name="service_ticket")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # A returned unit's repair: whether the provider could repair it (empty until it is done).
    repaired = models.BooleanField(_("repaired"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5, completed_at__isnull=False),
                name="ticket_rating_1_to_5_after_completion",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["unpaid", "requested", "escalated", "cancelled"]) | Q(provider__isnull=False),
                name="ticket_has_provider_once_dispatched",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False, cost__isnull=False),
                name="ticket_completed_has_time_and_cost",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="ticket_price_not_negative"),
            models.CheckConstraint(
                condition=Q(order_line__isnull=True) | Q(order__isnull=False), name="ticket_line_has_order"
            ),
            # A service paid at checkout opens one ticket per order line, however often the
            # payment is reported.
            models.UniqueConstraint(
                fields=["order_line", "skill"], condition=Q(source="checkout"), name="ticket_checkout_line_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "schedule_due_at"], name="ticket_schedule_due_idx"),
            models.Index(fields=["status", "complete_due_at"], name="ticket_complete_due_idx"),
            models.Index(fields=["provider", "status"], name="ticket_provider_open_idx"),
        ]

    def __str__(self):
        return f"S{self.pk} {self.skill} · {self.title[:40]}"

    @property
    def number(self):
        return f"S{self.pk}"

    number.fget.short_description = _("number")

    @property
    def breached(self):
        return self.schedule_breached_at is not None or self.complete_breached_at is not None

    @property
    def prepaid(self):
        """The shopper paid the price to us: with the order, or by a payment of its own."""
        return self.paid_in_order or bool(self.payment_token)

    @property
    def payment_reference(self):
        """The reference its own payment is made under (a payment's checkout reference)."""
        return f"service:{self.reference}"

    @property
    def ledger_reference(self):
        return f"service:{settings.PLATFORM_CODE}:{self.reference}"


class TicketEvent(models.Model):
    """One step of a ticket: the shopper's and the provider's timeline, and the ops audit trail."""

    class Actor(models.TextChoices):
        SHOPPER = "shopper", _("shopper")
        PROVIDER = "provider", _("service provider")
        STAFF = "staff", _("platform staff")
        SYSTEM = "system", _("platform")

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("requested")
        DISPATCHED = "dispatched", _("sent to a provider")
        ACCEPTED = "accepted", _("accepted by the provider")
        SCHEDULED = "scheduled", _("appointment set")
        COMPLETED = "completed", _("completed")
        ESCALATED = "escalated", _("escalated to the platform")
        CANCELLED = "cancelled", _("cancelled")
        SLA_BREACHED = "sla_breached", _("service level missed")
        RATED = "rated", _("rated")
        NOT_DISPATCHED = "not_dispatched", _("no provider available")
        PAID = "paid", _("paid")
        UNREPAIRABLE = "unrepairable", _("cannot be repaired")

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    actor = models.CharField(max_length=10, choices=Actor.choices, verbose_name=_("actor"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        constraints = [
            # The SLA sweep may run twice: each missed deadline is recorded once.
            models.UniqueConstraint(
                fields=["ticket", "kind", "note"], condition=Q(kind="sla_breached"), name="ticket_breach_event_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ProviderPayout(models.Model):
    """What we owed a provider for the tickets it completed up to the end of a month, paid out once
    per provider, month and currency (the ledger's `provider_payout` under `ledger_reference`), with
    the CSV of what it covers written beside its statement."""

    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="payouts")
    month = models.DateField(_("month"), help_text=_("the first day of the month paid out"))
    amount = money.money_field(_("amount"))
    ledger_reference = models.CharField(max_length=160, unique=True)
    csv = models.TextField(_("CSV"), blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("paid out"), default=timezone.now)

    class Meta:
        verbose_name = _("provider payout")
        verbose_name_plural = _("provider payouts")
        ordering = ["-month", "provider_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "month", "amount_currency"], name="provider_payout_once_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="provider_payout_positive"),
        ]

    def __str__(self):
        return f"{self.provider} {self.month:%Y-%m} {self.amount}"
