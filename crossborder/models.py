"""Platform identity, partners, partnerships and the plumbing of the partner API (keys, outbox, inbox)."""

import json
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_trail
from .fields import EncryptedTextField


class PlatformIdentity(models.Model):
    """This instance as partners see it; mirrored from settings at start-up (one row)."""

    code = models.SlugField(max_length=20)
    name = models.CharField(max_length=120)
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    languages = models.JSONField(default=list)
    time_zone = models.CharField(max_length=64)
    base_url = models.URLField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("platform identity")
        verbose_name_plural = _("platform identity")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="platform_identity_single_row")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class SigningKey(models.Model):
    """One of this platform's own Ed25519 keys. Exactly one is CURRENT (signs); NEXT is published
    to partners before it signs anything, PREVIOUS stays published for a grace period."""

    class Status(models.TextChoices):
        NEXT = "next", _("next (published, not yet signing)")
        CURRENT = "current", _("current (signing)")
        PREVIOUS = "previous", _("previous (still published)")
        RETIRED = "retired", _("retired")

    key_id = models.CharField(max_length=80, unique=True)
    private_key_pem = EncryptedTextField(editable=False)  # encrypted at rest (fields.py)
    public_key = models.CharField(max_length=64, help_text=_("Raw Ed25519 public key, base64"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEXT)
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    retire_after = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="current"), name="signing_key_one_current"),
            models.UniqueConstraint(fields=["status"], condition=Q(status="next"), name="signing_key_one_next"),
        ]

    def __str__(self):
        return f"{self.key_id} ({self.get_status_display()})"

    @property
    def is_published(self):
        return self.status != self.Status.RETIRED

    def as_published(self):
        return {
            "key_id": self.key_id,
            "algorithm": "ed25519",
            "public_key": self.public_key,
            "not_after": self.retire_after.isoformat() if self.retire_after else None,
        }


class Partner(models.Model):
    """Another platform we cooperate with."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        DISABLED = "disabled", _("disabled")

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    languages = models.JSONField(default=list)
    base_url = models.URLField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    protocol_version = models.CharField(
        max_length=9,
        blank=True,
        help_text=_("The Partner-Protocol of its latest signed request or reply (none: 1.0)"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def live_partnership(self):
        return self.partnerships.filter(status__in=Partnership.LIVE_STATUSES).first()


class PartnerKey(models.Model):
    """A partner's public key. Two or more may be active at once while the partner rotates."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", _("revoked")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="keys")
    key_id = models.CharField(max_length=80, unique=True)
    public_key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    not_after = models.DateTimeField(null=True, blank=True, help_text=_("Signatures made later are refused"))
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partner", "-created_at"]

    def __str__(self):
        return self.key_id


class Partnership(models.Model):
    """The agreement between this platform and a partner. Both sides hold a matching row,
    identified by the shared `reference`."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        ENDED = "ended", _("ended")

    LIVE_STATUSES = (Status.PROPOSED, Status.ACTIVE, Status.SUSPENDED)

    class Initiator(models.TextChoices):
        US = "us", _("this platform")
        PARTNER = "partner", _("the partner")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="partnerships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    initiated_by = models.CharField(max_length=10, choices=Initiator.choices)
    settlement_currency = models.CharField(max_length=3)
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the partner-goods sale price kept by the selling platform, 0 to 1"),
    )
    # The fee terms, read typed through `terms` (crossborder/terms.py lists keys, types, defaults).
    fee_schedule = models.JSONField(default=dict, blank=True, help_text=_("Fee name to decimal amount or rate"))
    category_scope = models.JSONField(
        default=list, blank=True, help_text=_("Shared taxonomy IDs in scope; empty means all")
    )
    settlement_cutoff = models.TimeField(help_text=_("Daily cut-off for the settlement batch, platform time"))
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    status_reason = models.CharField(max_length=300, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # Outbox relay bookkeeping: sequence of the last queued message and the relay lease.
    outbox_seq = models.PositiveBigIntegerField(default=0, editable=False)
    relay_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    relay_lease_token = models.UUIDField(null=True, blank=True, editable=False)

    # The audit trail of the agreement (admin: History); the relay's bookkeeping is left out.
    history = audit_trail(excluded_fields=["outbox_seq", "relay_lease_until", "relay_lease_token"])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(status__in=["proposed", "active", "suspended"]),
                name="partnership_one_live_per_partner",
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0) & Q(commission_rate__lte=1),
                name="partnership_commission_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="partnership_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.partner.code} · {self.get_status_display()}"

    @property
    def is_live(self):
        return self.status in self.LIVE_STATUSES

    @property
    def terms(self):
        """The agreement, typed (crossborder.terms.Terms), parsed once per state of the row: a
        cached property that parses again when the terms' columns or fee schedule change."""
        from .terms import Terms

        state = json.dumps(
            [
                self.fee_schedule,
                self.settlement_currency,
                self.commission_rate,
                self.category_scope,
                self.settlement_cutoff,
                self.starts_on,
                self.ends_on,
            ],
            sort_keys=True,
            default=str,
        )
        cached = self.__dict__.get("_terms")
        if cached is None or cached[0] != state:
            cached = self.__dict__["_terms"] = (state, Terms.of(self))
        return cached[1]


class PartnershipEvent(models.Model):
    """One row per thing that happened to a partnership: the audit trail ops read."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        SUSPENDED = "suspended", _("suspended")
        RESUMED = "resumed", _("resumed")
        ENDED = "ended", _("ended")
        KEYS_UPDATED = "keys_updated", _("partner keys updated")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    by_partner = models.BooleanField(default=False, help_text=_("Caused by a message from the partner"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class PartnershipInvitation(models.Model):
    """A one-time token given to a prospective partner out of band; its proposal must carry it.
    Only the token's SHA-256 is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=120, blank=True)
    auto_accept = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.label or f"invitation {self.pk}"


class OutboxMessage(models.Model):
    """A message to a partner, written in the same transaction as the change that caused it and
    delivered by the relay task, in `seq` order per partnership."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        REJECTED = "rejected", _("rejected by partner")
        WITHHELD = "withheld", _("withheld: the partner's protocol version has no form of it")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="outbox")
    seq = models.PositiveBigIntegerField()
    message_type = models.CharField(max_length=60)
    # The type it went out as, chosen by the partner's protocol version at the first attempt (its
    # older form for an older partner) and kept for every repeat, so a repeat is the same message.
    sent_as = models.CharField(max_length=60, blank=True)
    payload = models.JSONField()
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partnership", "seq"]
        constraints = [models.UniqueConstraint(fields=["partnership", "seq"], name="outbox_seq_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"#{self.seq} {self.message_type} → {self.partnership.partner.code}"


class InboxMessage(models.Model):
    """Each state-changing partner request's idempotency key, with the first answer given.
    PROCESSING rows are claims held while the effect runs; the effect and DONE commit together.
    A partner message is also unique by its identity, (partnership, seq), whatever its key: it is
    applied at most once (docs/adr/0030); `message_hash` tells a repeat from another message."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("processing")
        DONE = "done", _("done")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="inbox")
    idempotency_key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    endpoint = models.CharField(max_length=200)
    message_type = models.CharField(max_length=60, blank=True)
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.PROTECT, related_name="inbox", editable=False
    )
    message_hash = models.CharField(max_length=64, blank=True, help_text=_("SHA-256 of the message's type and payload"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    claim_until = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "idempotency_key"], name="inbox_key_unique_per_partner"),
            models.UniqueConstraint(
                fields=["partnership", "seq"],
                condition=Q(partnership__isnull=False, seq__isnull=False),
                name="inbox_message_once_per_partnership",
            ),
        ]

    def __str__(self):
        return f"{self.partner.code} {self.idempotency_key}"


class InboxSequence(models.Model):
    """The highest `seq` applied of a partnership's messages to us. Its row is locked while a
    message is applied, so that messages of one partnership apply one at a time and in order; no
    other code locks it (the partnership row itself is locked by local business code)."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="inbox_sequence")
    last_applied_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.partnership} #{self.last_applied_seq}"


class SeenNonce(models.Model):
    """Nonces of accepted signatures, kept for the acceptance window so a replay is refused."""

    key_id = models.CharField(max_length=80)
    nonce = models.CharField(max_length=120)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key_id", "nonce"], name="seen_nonce_unique")]

    def __str__(self):
        return f"{self.key_id}/{self.nonce}"


class PartnerNotice(models.Model):
    """A short note between the two platforms' ops teams, sent through the partner API."""

    class Direction(models.TextChoices):
        SENT = "sent", _("sent")
        RECEIVED = "received", _("received")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="notices")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    sent_seq = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("Sender's outbox sequence"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_direction_display()}: {self.subject}"


# --- money -----------------------------------------------------------------------------------------


class ExchangeRate(models.Model):
    """1 `base` = `rate` `quote`, from a source at a time: the rate book of crossborder.money reads the
    newest per pair at a moment. Ops enter rates in the partner zone's admin (which reprices)."""

    class Source(models.TextChoices):
        ECB = "ecb", _("European Central Bank reference rate")
        MANUAL = "manual", _("entered by ops")

    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8, validators=[MinValueValidator(0)])
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    as_of = models.DateTimeField(_("valid from"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit_trail()  # the audit trail: who changed what, when (admin: History)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["base", "quote", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "source", "as_of"], name="exchange_rate_once"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]
        indexes = [models.Index(fields=["base", "quote", "-as_of"], name="exchange_rate_latest_idx")]
        db_table = "partner_zone_exchangerate"  # moved from the partner zone; the table kept its name

    def __str__(self):
        return f"1 {self.base} = {self.rate} {self.quote} ({self.source}, {self.as_of:%Y-%m-%d})"


class Notification(models.Model):
    """One message to a person about one event (an order paid, a return approved), written in the
    transaction of the change that caused it and sent by a task after commit (`notifications`).
    `key` names the event, so the same event never notifies twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will be retried")
        GAVE_UP = "gave_up", _("not sent: gave up")

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=8, default="email")
    to = models.CharField(_("to"), max_length=254)
    template = models.CharField(max_length=100)
    language = models.CharField(max_length=16)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx")]

    def __str__(self):
        return f"{self.template} to {self.to}"
