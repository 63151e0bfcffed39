"""Carts, checkouts and orders.

A cart collects own variants and partner-zone listings. A checkout locks a quote (goods, duties and
taxes, shipping per line) for a while and holds the stock for it; an order is the placed checkout,
numbered from a database sequence, shown to the shopper under an unguessable token and forwarded
line by line to the partners whose goods it holds. Amounts are Decimal with their currency
(djmoney), like the catalog's and the partner zone's."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossborder import money
from crossborder.fields import BlindIndexField, EncryptedTextField
from crossborder.grades import RESALE_GRADES
from crossborder.models import Partnership

__all__ = [
    "Cart",
    "CartLine",
    "Checkout",
    "CheckoutLine",
    "CheckoutExtra",
    "CustomsDeclaration",
    "ForwardedLine",
    "ForwardedOrder",
    "Order",
    "OrderEvent",
    "OrderExtra",
    "OrderLine",
    "OrderNumber",
]


class Origin(models.TextChoices):
    OWN = "own", _("our own goods")
    PARTNER = "partner", _("partner goods")


class Fulfilment(models.TextChoices):
    OWN_STOCK = "own_stock", _("own stock")
    CONSIGNMENT = "consignment", _("partner consignment stock in our warehouse")
    DIRECT = "direct", _("cross-border direct from the partner")


def _one_source():
    """Exactly one of variant (own goods) and listing (partner goods), matching the origin."""
    return Q(origin="own", variant__isnull=False, listing__isnull=True) | Q(
        origin="partner", variant__isnull=True, listing__isnull=False, partnership__isnull=False
    )


ORDER_PARTS = ("goods", "taxes", "shipping", "extras")


def _sums_up(total="total", parts=("goods", "taxes", "shipping")):
    """The total is the sum of its parts. Within half a cent, because SQLite adds decimals as
    floating point; amounts have two decimals, so on PostgreSQL this is exact equality."""
    expression = F(parts[0])
    for part in parts[1:]:
        expression = expression + F(part)
    half_cent = Value(Decimal("0.005"))
    return Q(**{f"{total}__gt": expression - half_cent, f"{total}__lt": expression + half_cent})


# A line of a graded offer: returned units resold at this grade (empty: new goods).
GRADE_CHOICES = [(grade.value, grade.label) for grade in RESALE_GRADES]


class Cart(models.Model):
    """A shopper's cart: an anonymous one is found by the key kept in its session, a logged-in
    shopper's by the user. On login the anonymous cart is merged into the user's (MERGED)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MERGED = "merged", _("merged into the shopper's cart")

    session_key = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.CheckConstraint(condition=~Q(session_key="") | Q(user__isnull=False), name="cart_has_owner"),
            models.UniqueConstraint(fields=["user"], condition=Q(status="open"), name="cart_one_open_per_user"),
            models.UniqueConstraint(
                fields=["session_key"], condition=Q(status="open") & ~Q(session_key=""), name="cart_one_open_per_key"
            ),
        ]

    def __str__(self):
        return f"cart {self.pk} ({self.user or 'anonymous'})"


class CartLine(models.Model):
    """An own variant or a partner listing's SKU, and how many."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    origin = models.CharField(max_length=8, choices=Origin.choices)
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    listing = models.ForeignKey(
        "partner_zone.PartnerListing", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    partnership = models.ForeignKey(Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(_("SKU"), max_length=64)
    grade = models.CharField(_("grade"), max_length=12, blank=True, default="", choices=GRADE_CHOICES)
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_one_source(), name="cart_line_one_source"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
            models.UniqueConstraint(fields=["cart", "origin", "sku", "grade"], name="cart_line_sku_grade_once"),
        ]

    def __str__(self):
        return f"{self.sku} x{self.quantity}"


class Checkout(models.Model):
    """A locked quote for a cart: per line goods, duties and taxes and shipping, and the total the
    shopper must pay, valid until `expires_at`; the stock it holds; where the goods go and, for
    China's cross-border retail import, the buyer's real name and resident ID number."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ORDERED = "ordered", _("ordered")
        EXPIRED = "expired", _("expired")
        REPLACED = "replaced", _("replaced by a newer checkout")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cart = models.ForeignKey(Cart, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkouts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    goods = money.money_field(_("goods"))
    taxes = money.money_field(_("duties and taxes"))
    shipping = money.money_field(_("shipping"))
    extras = money.money_field(_("services"), help_text=_("priced extras such as installation"))
    total = money.money_field(_("total"))
    cbec_value = money.money_field(
        _("cross-border retail value"), null=True, blank=True, help_text=_("goods and freight under the CBEC limits")
    )
    recipient = models.JSONField(_("recipient"), default=dict)
    email = models.EmailField(_("e-mail"))
    buyer_name = models.CharField(_("buyer's real name"), max_length=60, blank=True)
    # Encrypted at rest (crossborder/fields.py); its form is checked by china_rules.check_buyer.
    buyer_id_number = EncryptedTextField(_("resident ID number"), blank=True)
    # Who asked for the quote, for the limit on unpaid holds per shopper (services/unpaid_limits.py).
    client_ip = models.GenericIPAddressField(_("client IP address"), null=True, blank=True)
    # The language the shopper used at checkout: the order's e-mails are written in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    expires_at = models.DateTimeField(_("quote valid until"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=_sums_up(parts=ORDER_PARTS), name="checkout_total_is_the_sum"),
            models.CheckConstraint(condition=Q(total__gt=0), name="checkout_total_positive"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="checkout_expiry_idx")]

    def __str__(self):
        return f"checkout {str(self.reference)[:8]} {self.total}"

    def is_expired(self, now=None):
        return (now or timezone.now()) >= self.expires_at


class _QuotedLine(models.Model):
    """What a checkout line and an order line share: the goods and their locked prices."""

    line_number = models.PositiveSmallIntegerField(_("line"))
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    fulfilment = models.CharField(_("fulfilment"), max_length=12, choices=Fulfilment.choices)
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    listing = models.ForeignKey(
        "partner_zone.PartnerListing", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partnership = models.ForeignKey(Partnership, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(_("SKU"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    hs_code = models.CharField(_("HS code"), max_length=6, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = money.money_field(_("unit price"))
    goods = money.money_field(_("goods"))
    taxes = money.money_field(_("duties and taxes"))
    shipping = money.money_field(_("shipping"))
    total = money.money_field(_("total"))
    dutiable_value = money.money_field(_("dutiable value"), null=True, blank=True)
    taxes_detail = models.JSONField(default=dict, blank=True, help_text=_("regime, duty, VAT, consumption tax"))
    # What we owe the exporter for partner goods, in its export currency (export price x quantity).
    export_amount = money.money_field(_("export amount"), null=True, blank=True)
    reservation = models.ForeignKey(
        "logistics.Reservation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    direct_units = models.PositiveIntegerField(
        default=0, help_text=_("units taken from the listing's direct-sale stock")
    )
    grade = models.CharField(
        _("grade"),
        max_length=12,
        blank=True,
        default="",
        choices=GRADE_CHOICES,
        help_text=_("a returned unit resold at this grade; empty for new goods"),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.line_number}. {self.sku} x{self.quantity}"

    @property
    def is_partner(self):
        return self.origin == Origin.PARTNER


def _line_constraints(name):
    return [
        models.CheckConstraint(condition=_one_source(), name=f"{name}_one_source"),
        models.CheckConstraint(condition=Q(quantity__gte=1), name=f"{name}_quantity_positive"),
        models.CheckConstraint(condition=_sums_up(), name=f"{name}_total_is_the_sum"),
        models.CheckConstraint(
            condition=Q(fulfilment="own_stock", origin="own") | Q(origin="partner") & ~Q(fulfilment="own_stock"),
            name=f"{name}_fulfilment_matches_origin",
        ),
        models.CheckConstraint(
            condition=Q(fulfilment="direct", reservation__isnull=True)
            | ~Q(fulfilment="direct") & Q(reservation__isnull=False, direct_units=0),
            name=f"{name}_held_where_it_ships_from",
        ),
    ]


class CheckoutLine(_QuotedLine):
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = _("checkout line")
        verbose_name_plural = _("checkout lines")
        ordering = ["checkout_id", "line_number"]
        constraints = [
            *_line_constraints("checkout_line"),
            models.UniqueConstraint(fields=["checkout", "line_number"], name="checkout_line_number_once"),
        ]


class _Extra(models.Model):
    """A priced extra the shopper chose with a goods line (installation by a local provider): part
    of the quote and of the order's total, in the order's currency. `code` says what it is
    (the service's skill), `detail` what the app that priced it needs to carry it out."""

    line_number = models.PositiveSmallIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=20, default="service")
    code = models.CharField(_("what"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    amount = money.money_field(_("amount"))
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.line_number}. {self.title} {self.amount}"


def _extra_constraints(name, owner):
    return [
        models.CheckConstraint(condition=Q(amount__gte=0), name=f"{name}_amount_not_negative"),
        models.UniqueConstraint(fields=[owner, "line_number", "kind", "code"], name=f"{name}_once_per_line"),
    ]


class CheckoutExtra(_Extra):
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="extra_lines")

    class Meta:
        verbose_name = _("checkout extra")
        verbose_name_plural = _("checkout extras")
        ordering = ["checkout_id", "line_number", "id"]
        constraints = _extra_constraints("checkout_extra", "checkout")


class OrderNumber(models.Model):
    """Where order numbers come from on SQLite (AUTOINCREMENT never reuses an id). On PostgreSQL
    they come from the sequence payments_order_number_seq and this table stays empty."""

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("order number")
        verbose_name_plural = _("order numbers")

    def __str__(self):
        return str(self.pk)


class Order(models.Model):
    """A placed checkout. `number` is for people (from the database sequence), `token` for the
    shopper's URLs (unguessable), `reference` the order's name between the partner platforms."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")
        PAID = "paid", _("paid")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("payment not received in time")

    number = models.PositiveBigIntegerField(_("order number"), unique=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkout = models.OneToOneField(Checkout, on_delete=models.PROTECT, related_name="order")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.AWAITING_PAYMENT)
    goods = money.money_field(_("goods"))
    taxes = money.money_field(_("duties and taxes"))
    shipping = money.money_field(_("shipping"))
    extras = money.money_field(_("services"), help_text=_("priced extras such as installation"))
    total = money.money_field(_("total"))
    cbec_value = money.money_field(_("cross-border retail value"), null=True, blank=True)
    recipient = models.JSONField(_("recipient"), default=dict)
    email = models.EmailField(_("e-mail"))
    buyer_name = models.CharField(_("buyer's real name"), max_length=60, blank=True)
    # Encrypted at rest; orders are found by ID number (the annual limit) through its blind index.
    buyer_id_number = EncryptedTextField(_("resident ID number"), blank=True)
    buyer_id_index = BlindIndexField(source="buyer_id_number", db_index=True)
    has_partner_goods = models.BooleanField(default=False, verbose_name=_("has partner goods"))
    language = models.CharField(_("language"), max_length=16, blank=True, help_text=_("the shopper's, at checkout"))
    payment_due_at = models.DateTimeField(_("pay by"))
    payment_reference = models.CharField(_("payment"), max_length=120, blank=True)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=_sums_up(parts=ORDER_PARTS), name="order_total_is_the_sum"),
            models.CheckConstraint(condition=Q(total__gt=0), name="order_total_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["awaiting_payment", "expired", "cancelled"])
                | ~Q(payment_reference="") & Q(paid_at__isnull=False),
                name="order_paid_has_payment",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "payment_due_at"], name="order_payment_due_idx"),
            models.Index(fields=["user", "-placed_at"], name="order_user_recent_idx"),
        ]

    def __str__(self):
        return f"#{self.number}"


class OrderLine(_QuotedLine):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "line_number"]
        constraints = [
            *_line_constraints("order_line"),
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_number_once"),
        ]

    @property
    def reference(self):
        """The line's name on both platforms: the ledger event, the shipment, the forwarded line."""
        return f"order:{settings.PLATFORM_CODE}:{self.order.number}:{self.line_number}"


class OrderExtra(_Extra):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="extra_lines")

    class Meta:
        verbose_name = _("order extra")
        verbose_name_plural = _("order extras")
        ordering = ["order_id", "line_number", "id"]
        constraints = _extra_constraints("order_extra", "order")

    @property
    def reference(self):
        """The extra's name in the ledger: its goods line's, with what it is."""
        return f"order:{settings.PLATFORM_CODE}:{self.order.number}:{self.line_number}:{self.code}"


class OrderEvent(models.Model):
    """One thing that happened to an order: the ops audit trail and the shopper's timeline."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("order placed")
        PAID = "paid", _("payment received")
        PAYMENT_DECLINED = "pay_declined", _("payment declined")
        FORWARDED = "forwarded", _("forwarded to the partner")
        STATUS = "status", _("status changed")
        PARTNER_STATUS = "partner_status", _("status from the partner")
        EXPIRED = "expired", _("payment not received in time")
        CANCELLED = "cancelled", _("cancelled")
        RETURN_CHARGED_BACK = "chargeback", _("returned goods charged back to the partner")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    status = models.CharField(max_length=16, choices=Order.Status.choices, blank=True, verbose_name=_("status"))
    by_partner = models.BooleanField(default=False, verbose_name=_("by the partner"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class CustomsDeclaration(models.Model):
    """The three records China's customs match against each other for a cross-border retail
    import: the order, its payment record and the waybill. Drafted when the order is placed,
    completed with the payment when it is paid; the waybill fills in as the goods ship."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft (awaiting payment)")
        READY = "ready", _("ready to declare")
        CANCELLED = "cancelled", _("cancelled")

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="customs_declaration")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status"))
    order_record = models.JSONField(_("order record"), default=dict)
    payment_record = models.JSONField(_("payment record"), default=dict, blank=True)
    waybill_record = models.JSONField(_("waybill record"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customs declaration")
        verbose_name_plural = _("customs declarations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"customs #{self.order.number}"


class ForwardedOrder(models.Model):
    """The exporter's record of an order a partner placed for our goods (message order.forwarded),
    with its lines as forwarded and the latest status either side reported."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="forwarded_orders", verbose_name=_("partnership")
    )
    reference = models.UUIDField(_("partner's order"))
    number = models.CharField(_("partner's order number"), max_length=40)
    status = models.CharField(_("status"), max_length=16, default="paid")
    lines = models.JSONField(_("lines as the partner sent them"), default=list)
    recipient = models.JSONField(_("recipient"), default=dict, blank=True, help_text=_("for lines we ship direct"))
    placed_at = models.DateTimeField(verbose_name=_("placed at"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("order from a partner")
        verbose_name_plural = _("orders from partners")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="forwarded_order_once"),
        ]

    def __str__(self):
        return f"{self.partnership.partner.code} #{self.number}"


class ForwardedLine(models.Model):
    """One line of an order a partner forwarded us, as we fulfil it: a line the partner serves from
    our consignment stock in its warehouse needs nothing from us; a line it sold cross-border
    direct is ours to ship from our warehouse to its shopper (the shipment is logistics', under
    the line's reference), and its status follows that parcel."""

    class Status(models.TextChoices):
        PARTNER_SHIPS = "partner_ships", _("the partner ships it from our consignment stock")
        AWAITING_STOCK = "awaiting_stock", _("awaiting stock")
        ALLOCATED = "allocated", _("allocated")
        PICKED = "picked", _("picked")
        PACKED = "packed", _("packed")
        SHIPPED = "shipped", _("shipped")
        IN_TRANSIT = "in_transit", _("in transit")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("delivery failed")
        CANCELLED = "cancelled", _("cancelled")

    order = models.ForeignKey(ForwardedOrder, on_delete=models.CASCADE, related_name="order_lines")
    reference = models.CharField(_("line"), max_length=120, help_text=_("the line's name on both platforms"))
    product = models.UUIDField(_("our product"))
    sku = models.CharField(_("SKU"), max_length=64)
    title = models.CharField(_("title"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    # What the partner owes us for the line (the export price of its units), as it sent it; empty on
    # lines received before it was kept here (their orders' JSON has it).
    export_amount = money.money_field(_("export amount"), null=True, blank=True)
    fulfilment = models.CharField(_("fulfilment"), max_length=12, choices=Fulfilment.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    problem = models.CharField(_("problem"), max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("line of an order from a partner")
        verbose_name_plural = _("lines of orders from partners")
        ordering = ["order_id", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "reference"], name="forwarded_line_once")]
        indexes = [models.Index(fields=["reference"], name="forwarded_line_reference_idx")]

    def __str__(self):
        return f"{self.reference} {self.sku} x{self.quantity}"
