"""The landed price of a partner listing, typed: what partner_zone pricing computes (goods at the
rate plus margin, shipping, fees, duties and taxes, rounding, a campaign or markdown discount) and
what checkout reads back by attribute. Amounts are Decimals in `currency` (the platform's).

A listing stores it as JSON (PartnerListing.price_breakdown): `as_dict()` writes the shape the
stored rows have always had (amounts as strings), `from_dict()` reads it back, stored rows of
earlier releases included."""

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal

AMOUNTS = ("goods", "shipping", "fees", "duties", "vat", "consumption_tax", "taxes_total", "rounding")


def _decimal(value, default="0"):
    """A stored amount: a string (what as_dict writes), a number or {"amount", "currency"}."""
    if isinstance(value, dict):
        value = value.get("amount")
    return Decimal(str(value if value not in (None, "") else default))


def _read(kind, value):
    """A stored value of a discount part as the field's type."""
    if kind is Decimal:
        return _decimal(value)
    if kind is int:
        return int(value or 0)
    if kind is str:
        return "" if value is None else str(value)
    return dt.date.fromisoformat(value) if value else None  # a date, or none


def _stored(value):
    """A discount part's value as stored: decimals as strings, a date in ISO form (none: ""),
    whole numbers and texts as they are."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


class _Part:
    """A discount's part of the landed price, stored as a JSON object of its fields."""

    def as_dict(self):
        return {f.name: _stored(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data):
        return cls(**{f.name: _read(f.type, data.get(f.name)) for f in fields(cls)})


@dataclass(frozen=True)
class CampaignDiscount(_Part):
    """An accepted festival campaign's discount on the listing."""

    reference: str
    title: str
    banner_text: str
    discount_percent: Decimal
    partner_share_percent: Decimal
    ends_on: dt.date | None
    saving: Decimal  # what the shopper saves after rounding up


@dataclass(frozen=True)
class MarkdownDiscount(_Part):
    """An agreed markdown of the partner's aged stock in our warehouse."""

    reference: str
    sku: str
    percent: int
    units_left: int
    saving: Decimal


@dataclass(frozen=True)
class ShopperLine:
    """One line of the breakdown a shopper reads: `key` is goods, fees, taxes, shipping or
    discount; `amount` in the landed price's currency (a discount is negative)."""

    key: str
    amount: Decimal


@dataclass(frozen=True)
class LandedPrice:
    """One unit of a listing, landed: `price` is what the shopper pays (`list_price` less a
    campaign or markdown discount); with `duties_included` the taxes are inside it, else added at
    checkout."""

    currency: str
    goods: Decimal
    shipping: Decimal
    fees: Decimal
    duties: Decimal
    vat: Decimal
    consumption_tax: Decimal
    taxes_total: Decimal
    duties_included: bool
    rounding: Decimal
    list_price: Decimal
    price: Decimal
    fx_rate: Decimal
    fx_margin: Decimal
    export_amount: Decimal
    export_currency: str
    regime: str
    tax_explanation: str
    ships_from: str
    delivery_days: str
    campaign: CampaignDiscount | None = None
    markdown: MarkdownDiscount | None = None

    @property
    def discount(self):
        """The campaign's or markdown's part, or None."""
        return self.campaign or self.markdown

    def shopper_lines(self):
        """(lines, total): the price in the plain words a shopper reads, goods, service fee, duties
        and taxes (once, their total), shipping and the discount, whose amounts add up to `total`
        exactly: the price, plus the taxes when they are added at checkout. The market's rounding
        is part of the goods (it is at most half a rounding step, ADR 0026)."""
        taxes_in = self.taxes_total if self.duties_included else Decimal(0)
        goods = self.list_price - self.shipping - self.fees - taxes_in
        lines = [ShopperLine("goods", goods)]
        if self.fees:
            lines.append(ShopperLine("fees", self.fees))
        if self.taxes_total:
            lines.append(ShopperLine("taxes", self.taxes_total))
        lines.append(ShopperLine("shipping", self.shipping))
        if self.price != self.list_price:
            lines.append(ShopperLine("discount", self.price - self.list_price))
        return lines, self.price + (Decimal(0) if self.duties_included else self.taxes_total)

    def as_dict(self):
        """The JSON stored on the listing (the keys and string forms stored rows have)."""
        data = {
            "currency": self.currency,
            **{name: str(getattr(self, name)) for name in AMOUNTS},
            "duties_included": self.duties_included,
            "list_price": str(self.list_price),
            "fx_rate": str(self.fx_rate),
            "fx_margin": str(self.fx_margin),
            "export_price": {"amount": str(self.export_amount), "currency": self.export_currency},
            "regime": self.regime,
            "tax_explanation": self.tax_explanation,
            "ships_from": self.ships_from,
            "delivery_days": self.delivery_days,
        }
        if self.campaign is not None:
            data["campaign"] = self.campaign.as_dict()
        if self.markdown is not None:
            data["markdown"] = self.markdown.as_dict()
        data["price"] = str(self.price)
        return data

    @classmethod
    def from_dict(cls, data):
        """A stored breakdown read back; None for a listing that has none (unpriced: `{}`)."""
        if not data:
            return None
        export = data.get("export_price") or {}
        campaign, markdown = data.get("campaign"), data.get("markdown")
        return cls(
            currency=data.get("currency", ""),
            **{name: _decimal(data.get(name)) for name in AMOUNTS},
            duties_included=bool(data.get("duties_included", True)),
            list_price=_decimal(data.get("list_price")),
            price=_decimal(data.get("price", data.get("list_price"))),
            fx_rate=_decimal(data.get("fx_rate")),
            fx_margin=_decimal(data.get("fx_margin")),
            export_amount=_decimal(export.get("amount")),
            export_currency=export.get("currency", ""),
            regime=data.get("regime", ""),
            tax_explanation=data.get("tax_explanation", ""),
            ships_from=data.get("ships_from", ""),
            delivery_days=str(data.get("delivery_days", "")),
            campaign=CampaignDiscount.from_dict(campaign) if isinstance(campaign, dict) else None,
            markdown=MarkdownDiscount.from_dict(markdown) if isinstance(markdown, dict) else None,
        )
