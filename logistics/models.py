"""Warehouses and the stock they hold, the first leg (consignments into a partner's warehouse), the last
leg (deliveries to shoppers at home), cross-border direct shipments, the nightly inventory handoff
between partners, aged consignment stock and warehouse storage fees.

Stock is counted per (warehouse, owner, SKU) in `StockLevel`; every change to a count is one
append-only `StockMovement` row written in the same transaction, so counts can be recomputed from
movements. Stock owned by a partner but held in our warehouse is *consignment* stock: its rows carry
the partner as owner and are never summed with our own."""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from djmoney.models.fields import MoneyField

from crossborder import money
from crossborder.grades import RESALE_GRADES, Grade
from crossborder.models import Partner, Partnership

AGE_BUCKETS = ((0, 90), (91, 180), (181, 270), (271, 365), (366, None))  # days, inclusive


class Warehouse(models.Model):
    """A warehouse this platform runs or uses (a code partners and carriers know it by)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    operator = models.CharField(_("operator"), max_length=120, help_text=_("Who runs it (us or a 3PL)"))
    address = models.TextField(_("address"))
    # Where service providers come to (a returned unit repaired at the warehouse): matched against
    # their service areas like a shopper's address.
    city = models.CharField(_("city"), max_length=120, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    country = CountryField(_("country"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class StockLevel(models.Model):
    """The count of one SKU of one owner in one warehouse.

    - `on_hand`: units on the shelves, reserved or not.
    - `reserved`: units of `on_hand` promised to an order line or held for a checkout.
    - `picked`: units taken off the shelves for a delivery, not yet handed to the carrier.
    Sellable = on_hand - reserved. `owner` is empty for our own goods; a partner for consignment stock.
    `grade` is empty for goods sold as new; a returned unit resold as a graded item (like new, good,
    acceptable) is counted in a level of its grade, apart from the new units: only a graded offer
    sells it. Counts change only through logistics.services, each change with its StockMovement."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("warehouse")
    )
    owner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consignment_stock",
        verbose_name=_("owner"),
    )
    sku = models.CharField(_("SKU"), max_length=64)
    # Our own goods point at our catalog; a partner's goods carry the partner's SKU and its feed's product id.
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.PROTECT, related_name="stock_levels"
    )
    partner_product = models.UUIDField(_("partner's product id"), null=True, blank=True)
    grade = models.CharField(
        _("grade"),
        max_length=12,
        blank=True,
        default="",
        choices=[(g.value, g.label) for g in RESALE_GRADES],
        help_text=_("empty: sold as new; else returned units offered at this grade"),
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    picked = models.IntegerField(_("picked"), default=0)
    unit_weight_grams = models.PositiveIntegerField(_("unit weight (g)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(picked__gte=0), name="stock_picked_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"),
            models.UniqueConstraint(
                fields=["warehouse", "sku", "grade"], condition=Q(owner__isnull=True), name="stock_own_sku_grade_unique"
            ),
            models.UniqueConstraint(
                fields=["warehouse", "owner", "sku", "grade"],
                condition=Q(owner__isnull=False),
                name="stock_partner_sku_grade_unique",
            ),
            models.CheckConstraint(
                condition=Q(grade__in=["", *(g.value for g in RESALE_GRADES)]), name="stock_grade_is_a_resale_grade"
            ),
        ]
        indexes = [models.Index(fields=["owner", "sku"], name="stock_owner_sku_idx")]

    def __str__(self):
        whose = self.owner.code if self.owner_id else _("own")
        graded = f" [{Grade(self.grade).label}]" if self.grade else ""
        return f"{self.sku}{graded} @ {self.warehouse.code} ({whose})"

    @property
    def is_consignment(self):
        return self.owner_id is not None

    @property
    def sellable(self):
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """One change to a stock level: append-only. The deltas of all movements of a level add up to
    its counts; `reference` names the business event (unique per level and kind when given, so the
    same event never moves stock twice)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("received")
        RESERVED = "reserved", _("reserved")
        RELEASED = "released", _("reservation released")
        PICKED = "picked", _("picked")
        SHIPPED = "shipped", _("shipped")
        RETURNED = "returned", _("returned")
        ADJUSTED = "adjusted", _("adjusted")
        WRITTEN_OFF = "written_off", _("written off")
        SENT_BACK = "sent_back", _("sent back to owner")

    stock = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0, verbose_name=_("on hand delta"))
    reserved_delta = models.IntegerField(default=0, verbose_name=_("reserved delta"))
    picked_delta = models.IntegerField(default=0, verbose_name=_("picked delta"))
    reference = models.CharField(_("business event"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stock", "kind", "reference"], condition=~Q(reference=""), name="stock_movement_event_once"
            ),
        ]
        indexes = [models.Index(fields=["stock", "created_at"], name="stock_movement_level_idx")]

    def __str__(self):
        return f"{self.kind} {self.on_hand_delta:+d}/{self.reserved_delta:+d}/{self.picked_delta:+d} {self.reference}"


class StockLot(models.Model):
    """Units received together, for first-in first-out ageing: units leave the oldest lot first.
    The remaining quantities of a level's lots add up to its on_hand."""

    stock = models.ForeignKey(StockLevel, on_delete=models.CASCADE, related_name="lots")
    received_at = models.DateTimeField(_("received at"))
    quantity = models.PositiveIntegerField(_("received"))
    remaining = models.PositiveIntegerField(_("remaining"))
    reference = models.CharField(_("received with"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock lots")
        ordering = ["received_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(remaining__lte=F("quantity")), name="stock_lot_remaining_within")
        ]
        indexes = [models.Index(fields=["stock", "received_at"], name="stock_lot_fifo_idx")]

    def __str__(self):
        return f"{self.stock_id}: {self.remaining}/{self.quantity} since {self.received_at:%Y-%m-%d}"


class Reservation(models.Model):
    """Units of a stock level promised to one order line (`expires_at` empty: an allocation) or
    held for a checkout until `expires_at`."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PICKED = "picked", _("picked")
        RELEASED = "released", _("released")
        EXPIRED = "expired", _("expired")

    reference = models.CharField(_("for"), max_length=120, unique=True, help_text=_("order line or checkout"))
    stock = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)], verbose_name=_("quantity"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="reservation_quantity_positive")]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="reservation_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.reference} x{self.quantity} ({self.status})"


# --- first leg ---------------------------------------------------------------------------------


class Consignment(models.Model):
    """A consolidated first-leg shipment of an exporter's goods into the importer's warehouse. Both
    platforms hold a row with the same `reference`: the exporter's is OUTBOUND, the importer's INBOUND.
    A REVERSE consignment is the importer sending the exporter's goods back (aged stock it agreed
    to return, returned units after-sales decided to send back): only the importer holds it."""

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("outbound (we export)")
        INBOUND = "inbound", _("inbound (we receive)")
        REVERSE = "reverse", _("reverse (we send back)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        NOTIFIED = "notified", _("notice sent")
        RECEIVING = "receiving", _("receiving")
        RECEIVED = "received", _("received")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.UUIDField(default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="consignments")
    direction = models.CharField(max_length=8, choices=Direction.choices, verbose_name=_("direction"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, verbose_name=_("status"))
    # Inbound: our warehouse. Outbound: the partner's warehouse code as its notice named it.
    warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="consignments"
    )
    destination_code = models.CharField(_("destination warehouse"), max_length=40, blank=True)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    cartons = models.PositiveIntegerField(_("cartons"), default=0)
    gross_weight_grams = models.PositiveIntegerField(_("gross weight (g)"), default=0)
    eta = models.DateField(_("expected arrival"), null=True, blank=True)
    first_leg_cost = money.money_field(_("first-leg cost"), null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("consignment")
        verbose_name_plural = _("consignments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="consignment_reference_unique"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {str(self.reference)[:8]} ({self.partnership.partner.code})"


class ConsignmentLine(models.Model):
    """One SKU of a consignment: what was shipped, and what the importer found on receipt."""

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(_("SKU"), max_length=64)
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.PROTECT, related_name="consignment_lines"
    )
    partner_product = models.UUIDField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    unit_weight_grams = models.PositiveIntegerField(_("unit weight (g)"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("shipped"), validators=[MinValueValidator(1)])
    counted = models.PositiveIntegerField(_("counted"), null=True, blank=True)
    damaged = models.PositiveIntegerField(_("damaged"), default=0)

    class Meta:
        verbose_name = _("consignment line")
        verbose_name_plural = _("consignment lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["consignment", "sku"], name="consignment_line_sku_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="consignment_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.sku} x{self.quantity}"

    @property
    def good(self):
        """Units received in sellable condition."""
        return max((self.counted or 0) - self.damaged, 0)

    @property
    def short(self):
        return max(self.quantity - (self.counted or 0), 0) if self.counted is not None else 0

    @property
    def over(self):
        return max((self.counted or 0) - self.quantity, 0)


class ReverseConsignmentItem(models.Model):
    """What a reverse consignment carried, one row per thing sent back: an aged-stock return (its
    SENT_BACK movement's reference `aged:<action>`) or a returned unit held to send back (its
    allocation `reverse:<unit>`). The reference is unique: nothing leaves twice."""

    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="reverse_items")
    source_reference = models.CharField(_("what was sent back"), max_length=160, unique=True)
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("units"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("reverse consignment item")
        verbose_name_plural = _("reverse consignment items")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reverse_item_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.source_reference} x{self.quantity}"


# --- last leg and cross-border direct ----------------------------------------------------------


class Shipment(models.Model):
    """Goods on their way to a shopper: a LOCAL delivery from one of our warehouses (the last leg),
    or a DIRECT cross-border parcel the partner sends, whose tracking the partner relays to us."""

    class Kind(models.TextChoices):
        LOCAL = "local", _("local delivery")
        DIRECT = "direct", _("cross-border direct")

    class Status(models.TextChoices):
        ALLOCATED = "allocated", _("allocated")
        PICKED = "picked", _("picked")
        PACKED = "packed", _("packed")
        SHIPPED = "shipped", _("shipped")
        IN_TRANSIT = "in_transit", _("in transit")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("delivery failed")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=6, choices=Kind.choices, verbose_name=_("kind"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ALLOCATED, verbose_name=_("status"))
    order_line = models.CharField(_("order line"), max_length=120, help_text=_("the order line this serves"))
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)], verbose_name=_("quantity"))
    stock = models.ForeignKey(StockLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="shipments")
    reservation = models.OneToOneField(
        Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="shipment"
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.PROTECT, related_name="direct_shipments"
    )
    recipient = models.JSONField(
        _("recipient"), default=dict, help_text=_("name, phone, address lines, city, postcode")
    )
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("shipped at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["order_line", "sku"], name="shipment_order_line_sku_once"),
            models.CheckConstraint(
                condition=Q(kind="local", stock__isnull=False) | Q(kind="direct", partnership__isnull=False),
                name="shipment_source_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["carrier", "tracking_number"], name="shipment_tracking_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.order_line} {self.sku} x{self.quantity}"


class TrackingEvent(models.Model):
    """A carrier's (or the partner's relayed) tracking event; `event_id` makes a repeat harmless."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=120, verbose_name=_("event ID"))
    status = models.CharField(max_length=10, choices=Shipment.Status.choices, verbose_name=_("status"))
    description = models.CharField(max_length=300, blank=True, verbose_name=_("description"))
    location = models.CharField(max_length=120, blank=True, verbose_name=_("location"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shipment", "event_id"], name="tracking_event_once")]

    def __str__(self):
        return f"{self.status} {self.occurred_at:%Y-%m-%d %H:%M}"


# --- nightly handoff, goods abroad, ageing, fees -------------------------------------------------


class HandoffReport(models.Model):
    """One nightly report between partners about consignment stock: SALES (units sold since the
    last report) or STOCK (per SKU on hand, reserved, oldest unit's age). SENT by the importer,
    RECEIVED by the exporter; `period_end` and the partnership make it unique per side."""

    class Kind(models.TextChoices):
        SALES = "sales", _("consignment sales report")
        STOCK = "stock", _("stock report")

    class Direction(models.TextChoices):
        SENT = "sent", _("sent")
        RECEIVED = "received", _("received")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="handoff_reports")
    kind = models.CharField(max_length=5, choices=Kind.choices, verbose_name=_("kind"))
    direction = models.CharField(max_length=8, choices=Direction.choices, verbose_name=_("direction"))
    period_start = models.DateTimeField(null=True, blank=True, verbose_name=_("period start"))
    period_end = models.DateTimeField(verbose_name=_("period end"))
    lines = models.JSONField(default=list, help_text=_("one object per SKU"))
    line_count = models.PositiveIntegerField(default=0, verbose_name=_("line count"))
    discrepancies = models.PositiveIntegerField(default=0, verbose_name=_("discrepancies"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("handoff report")
        verbose_name_plural = _("handoff reports")
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "direction", "period_end"], name="handoff_report_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.direction} {self.period_end:%Y-%m-%d}"


class GoodsAbroad(models.Model):
    """The exporter's view of its goods in a partner's warehouse, from the partner's last reports."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="goods_abroad")
    sku = models.CharField(_("SKU"), max_length=64)
    variant = models.ForeignKey(
        "catalog.ProductVariant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="abroad",
        verbose_name=_("variant"),
    )
    on_hand = models.IntegerField(default=0, verbose_name=_("on hand"))
    reserved = models.IntegerField(default=0, verbose_name=_("reserved"))
    sold_total = models.IntegerField(_("sold (all reports)"), default=0)
    sold_last_period = models.IntegerField(default=0, verbose_name=_("sold last period"))
    # Units that left the partner's stock other than by sale: written off + sent back - returned.
    removed_total = models.IntegerField(_("removed (all reports)"), default=0)
    oldest_unit_age_days = models.IntegerField(null=True, blank=True, verbose_name=_("oldest unit age (days)"))
    age_buckets = models.JSONField(default=dict, blank=True)
    expected_on_hand = models.IntegerField(_("expected on hand"), default=0, help_text=_("received minus sold"))
    reported_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reported at"))

    class Meta:
        verbose_name = _("goods abroad")
        verbose_name_plural = _("goods abroad")
        constraints = [models.UniqueConstraint(fields=["partnership", "sku"], name="goods_abroad_sku_once")]

    def __str__(self):
        return f"{self.sku} ({self.partnership_id})"


class Discrepancy(models.Model):
    """A difference found when comparing counts: a stock report against our own records, or a
    receipt against its notice. Flagged for people; never silently fixed."""

    class Kind(models.TextChoices):
        STOCK_REPORT = "stock_report", _("stock report differs")
        RECEIPT = "receipt", _("receipt differs from notice")
        RECOUNT = "recount", _("counts differ from movements")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN, verbose_name=_("status"))
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="logistics_discrepancies",
        verbose_name=_("partnership"),
    )
    sku = models.CharField(max_length=64, blank=True, verbose_name=_("SKU"))
    field = models.CharField(max_length=40, blank=True, verbose_name=_("field"))
    ours = models.IntegerField(null=True, blank=True, verbose_name=_("our figure"))
    theirs = models.IntegerField(null=True, blank=True, verbose_name=_("their figure"))
    reference = models.CharField(max_length=120, blank=True, verbose_name=_("reference"))
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind"], name="discrepancy_open_idx")]

    def __str__(self):
        return f"{self.kind} {self.sku} {self.field}: {self.ours} vs {self.theirs}"


class AgedStockAction(models.Model):
    """Consignment units past an agreed age threshold and what to do with them: proposed by the
    importer, agreed with the exporter through the partner API, then carried out."""

    class Action(models.TextChoices):
        MARKDOWN = "markdown", _("markdown campaign")
        RETURN = "return", _("return to exporter")
        LIQUIDATE = "liquidate", _("liquidation")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        AGREED = "agreed", _("agreed")
        DONE = "done", _("carried out")
        REJECTED = "rejected", _("rejected")

    reference = models.UUIDField(default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="aged_stock_actions")
    stock = models.ForeignKey(StockLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="aged_actions")
    sku = models.CharField(max_length=64, verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    oldest_age_days = models.PositiveIntegerField(verbose_name=_("oldest age (days)"))
    threshold_days = models.PositiveIntegerField(verbose_name=_("threshold (days)"))
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name=_("action"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED, verbose_name=_("status"))
    markdown_percent = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("markdown (%)"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    class Meta:
        verbose_name = _("aged stock action")
        verbose_name_plural = _("aged stock actions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="aged_action_reference_unique"),
        ]

    def __str__(self):
        return f"{self.action} {self.sku} x{self.quantity} ({self.status})"


class StorageFeeAccrual(models.Model):
    """One day's storage fee of one consignment stock level, from the partnership's fee schedule
    (`warehouse_storage_per_unit_day`). Append-only; `reference` is unique so a night run twice
    accrues once. The ledger (payments) books these through logistics.hooks.fee_accrued."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="storage_fees")
    stock = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="storage_fees")
    day = models.DateField(verbose_name=_("day"))
    unit_days = models.PositiveIntegerField(verbose_name=_("unit-days"))
    rate = MoneyField(
        max_digits=14, decimal_places=4, verbose_name=_("rate")
    )  # per unit-day; fees like 0.015 are common
    amount = money.money_field(verbose_name=_("amount"))
    reference = models.CharField(max_length=120, unique=True, verbose_name=_("reference"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("storage fee accrual")
        verbose_name_plural = _("storage fee accruals")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day} {self.amount}"


class ExpressRate(models.Model):
    """International express price per weight band to a destination country, for the first-leg
    cost comparison (a parcel up to `max_weight_grams` costs `price`)."""

    destination = CountryField(_("destination"))
    max_weight_grams = models.PositiveIntegerField(_("up to (g)"))
    price = money.money_field(_("price"))

    class Meta:
        verbose_name = _("express rate")
        verbose_name_plural = _("express rates")
        ordering = ["destination", "max_weight_grams"]
        constraints = [
            models.UniqueConstraint(fields=["destination", "max_weight_grams"], name="express_rate_band_once"),
        ]

    def __str__(self):
        return f"{self.destination} <= {self.max_weight_grams} g: {self.price}"
