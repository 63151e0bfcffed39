"""Priced extras of a checkout (installation by a local service provider): the typed values the
shop and the app that prices them (aftersales, through payments.hooks.checkout_extras) exchange.
The shop stores what comes back as CheckoutExtra rows, then OrderExtra rows, part of the total."""

from dataclasses import dataclass, field

from djmoney.money import Money


@dataclass(frozen=True)
class ExtraRequest:
    """A goods line the shopper asked an extra for: which goods, whose, how many."""

    line_number: int
    origin: str  # shop.models.Origin
    sku: str
    title: str
    quantity: int
    product_id: int | None = None  # catalog.Product, our own goods
    listing_id: int | None = None  # partner_zone.PartnerListing, a partner's goods
    partnership_id: int | None = None


@dataclass(frozen=True)
class PricedExtra:
    """One extra priced for the shopper's address: `amount` in the platform's currency (zero when
    someone else pays it under the agreement), `code` what it is, `detail` what its app needs later."""

    line_number: int
    code: str
    title: str
    amount: Money
    kind: str = "service"
    detail: dict = field(default_factory=dict)
