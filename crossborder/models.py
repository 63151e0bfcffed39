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

    code = models.SlugField(max_length=20, verbose_name=_("code"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    country = models.CharField(max_length=2, verbose_name=_("country"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    languages = models.JSONField(default=list, verbose_name=_("languages"))
    time_zone = models.CharField(max_length=64, verbose_name=_("time zone"))
    base_url = models.URLField(verbose_name=_("base URL"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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

    key_id = models.CharField(max_length=80, unique=True, verbose_name=_("key ID"))
    private_key_pem = EncryptedTextField(editable=False)  # encrypted at rest (fields.py)
    public_key = models.CharField(max_length=64, help_text=_("Raw Ed25519 public key, base64"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEXT, verbose_name=_("status"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    activated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("activated at"))
    retire_after = models.DateTimeField(null=True, blank=True, verbose_name=_("retire after"))
    retired_at = models.DateTimeField(null=True, blank=True, verbose_name=_("retired at"))

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
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

    code = models.SlugField(max_length=20, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    country = models.CharField(max_length=2, verbose_name=_("country"))
    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    languages = models.JSONField(default=list)
    base_url = models.URLField(verbose_name=_("base URL"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status"))
    protocol_version = models.CharField(
        max_length=9,
        blank=True,
        help_text=_("The Partner-Protocol of its latest signed request or reply (none: 1.0)"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
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
    key_id = models.CharField(max_length=80, unique=True, verbose_name=_("key ID"))
    public_key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status"))
    not_after = models.DateTimeField(
        null=True, blank=True, help_text=_("Signatures made later are refused"), verbose_name=_("not after")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

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
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("partner")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED, verbose_name=_("status"))
    initiated_by = models.CharField(max_length=10, choices=Initiator.choices, verbose_name=_("initiated by"))
    settlement_currency = models.CharField(max_length=3, verbose_name=_("settlement currency"))
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the partner-goods sale price kept by the selling platform, 0 to 1"),
        verbose_name=_("commission rate"),
    )
    # The fee terms, read typed through `terms` (crossborder/terms.py lists keys, types, defaults).
    fee_schedule = models.JSONField(default=dict, blank=True, help_text=_("Fee name to decimal amount or rate"))
    category_scope = models.JSONField(
        default=list, blank=True, help_text=_("Shared taxonomy IDs in scope; empty means all")
    )
    settlement_cutoff = models.TimeField(
        help_text=_("Daily cut-off for the settlement batch, platform time"), verbose_name=_("settlement cutoff")
    )
    starts_on = models.DateField(default=timezone.localdate, verbose_name=_("starts on"))
    ends_on = models.DateField(null=True, blank=True, verbose_name=_("ends on"))
    status_reason = models.CharField(max_length=300, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # Outbox bookkeeping: sequence of the last queued message (the relay's lease: RelayLease).
    outbox_seq = models.PositiveBigIntegerField(default=0, editable=False)

    # The audit trail of the agreement (admin: History); the outbox's bookkeeping is left out.
    history = audit_trail(excluded_fields=["outbox_seq"])

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
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
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    by_partner = models.BooleanField(
        default=False, help_text=_("Caused by a message from the partner"), verbose_name=_("by the partner")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class PartnershipInvitation(models.Model):
    """A one-time token given to a prospective partner out of band; its proposal must carry it.
    Only the token's SHA-256 is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=120, blank=True, verbose_name=_("label"))
    auto_accept = models.BooleanField(default=False, verbose_name=_("accept automatically"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used at"))
    used_by = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("used by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partnership invitation")
        verbose_name_plural = _("partnership invitations")

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

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="outbox", verbose_name=_("partnership")
    )
    seq = models.PositiveBigIntegerField(verbose_name=_("sequence number"))
    message_type = models.CharField(max_length=60, verbose_name=_("message type"))
    # The type it went out as, chosen by the partner's protocol version at the first attempt (its
    # older form for an older partner) and kept for every repeat, so a repeat is the same message.
    sent_as = models.CharField(max_length=60, blank=True)
    payload = models.JSONField()
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    last_error = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["partnership", "seq"]
        constraints = [models.UniqueConstraint(fields=["partnership", "seq"], name="outbox_seq_unique")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # The relay's "next pending message of this partnership": without it the scan walks past
            # every message already delivered (thousands after a backlog).
            models.Index(fields=["partnership", "seq"], condition=Q(status="pending"), name="outbox_pending_idx"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.message_type} → {self.partnership.partner.code}"


class RelayLease(models.Model):
    """The outbox relay's lease on one partnership's outbox (crossborder/outbox.py): a row of its own,
    not columns of the partnership. Paying an order keeps the partnership row locked until it commits
    (the suspension check, the next outbox seq), so a lease renewed on that row before each send
    waited for every order being paid meanwhile (bench/README.md, "Outbox relay")."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, primary_key=True, related_name="relay_lease"
    )
    until = models.DateTimeField(null=True, blank=True)
    token = models.UUIDField(null=True, blank=True)

    def __str__(self):
        return f"relay lease of partnership {self.partnership_id} until {self.until}"


class InboxMessage(models.Model):
    """Each state-changing partner request's idempotency key, with the first answer given.
    PROCESSING rows are claims held while the effect runs; the effect and DONE commit together.
    A partner message is also unique by its identity, (partnership, seq), whatever its key: it is
    applied at most once (docs/adr/0030); `message_hash` tells a repeat from another message."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("processing")
        DONE = "done", _("done")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="inbox", verbose_name=_("partner"))
    idempotency_key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    endpoint = models.CharField(max_length=200, verbose_name=_("endpoint"))
    message_type = models.CharField(max_length=60, blank=True, verbose_name=_("message type"))
    seq = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("sequence number"))
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.PROTECT, related_name="inbox", editable=False
    )
    message_hash = models.CharField(max_length=64, blank=True, help_text=_("SHA-256 of the message's type and payload"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PROCESSING, verbose_name=_("status")
    )
    claim_until = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("response status"))
    response_body = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
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

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="notices", verbose_name=_("partnership")
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, verbose_name=_("direction"))
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    body = models.TextField(blank=True)
    sent_seq = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("Sender's outbox sequence"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("partner notice")
        verbose_name_plural = _("partner notices")
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

    base = models.CharField(max_length=3, verbose_name=_("base currency"))
    quote = models.CharField(max_length=3, verbose_name=_("quote currency"))
    rate = models.DecimalField(
        max_digits=18, decimal_places=8, validators=[MinValueValidator(0)], verbose_name=_("rate")
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL, verbose_name=_("source"))
    as_of = models.DateTimeField(_("valid from"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

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
    template = models.CharField(max_length=100, verbose_name=_("template"))
    language = models.CharField(max_length=16, verbose_name=_("language"))
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx")]

    def __str__(self):
        return f"{self.template} to {self.to}"
