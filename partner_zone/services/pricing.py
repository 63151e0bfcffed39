"""The landed price of partner listings in the home currency: the partner's export price converted
at our exchange rate plus the agreement's FX margin, shipping and the zone fee per item, duties and
import taxes of the home country's rules by HS code (shown in the price when the agreement says
duties are included, DDP, else added at checkout), rounded to the home market's nearest charm price.
The zone's campaign story (the one campaign its banner announces, selectors.campaign_story)
discounts the rounded price of its goods; an agreed markdown of the
partner's aged consignment stock does too, for the units it covers when they ship from here (the
larger discount wins; the two do not add up).

Exchange rates come from ops (admin) or the ECB's euro reference rates (import_ecb_rates); a pair
without a direct rate uses the inverse rate or a cross rate through EUR. Pricing never fails on a
listing: a listing that cannot be priced gets no price (so it cannot be ordered) and the reason."""

import datetime as dt
import io
import json
import logging
import xml.etree.ElementTree as ET
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from crossborder import money
from crossborder.models import ExchangeRate, Partnership
from crossborder.terms import TermsError

from .. import selectors
from ..errors import PartnerZoneErrorCode as Code
from ..landed_price import CampaignDiscount, LandedPrice, MarkdownDiscount
from ..models import DutyRule, Markdown, PartnerListing, RoundingRule
from . import PartnerZoneError

log = logging.getLogger(__name__)

EUR = money.EUR
ECB_NS = {
    "gesmes": "http://www.gesmes.org/xml/2002-08-01",
    "ecb": "http://www.ecb.int/vocabulary/2002-08-01/eurofxref",
}
# The ECB publishes its reference rates at about 16:00 CET; a day's rates are valid from then.
ECB_PUBLISHED_AT = dt.time(16, 0)
ECB_ZONE = zoneinfo.ZoneInfo("Europe/Berlin")
REPRICE_BATCH = 1000


def _money(amount, currency):
    return money.money(amount, currency)


# --- exchange rates -------------------------------------------------------------------------------


class RateBook(money.RateBook):
    """The core's rate book (crossborder.money); a missing rate refuses the price as the zone's error."""

    refusal = PartnerZoneError


def latest_rate(base, quote, *, at=None) -> Decimal:
    """1 `base` in `quote`, from the newest rates at or before `at` (now): directly, inverted, or
    crossed through EUR. Raises NO_EXCHANGE_RATE naming the pair."""
    return RateBook.load({base, quote}, at=at).rate(base, quote)


def _ecb_rates(xml_bytes):
    """[(date, currency, rate)] of an ECB eurofxref file (daily or history), or RATE_FILE_INVALID."""

    def invalid(reason):
        return PartnerZoneError(
            Code.RATE_FILE_INVALID, _("The ECB rate file is invalid: %(reason)s") % {"reason": reason}, field="file"
        )

    if b"<!DOCTYPE" in xml_bytes.upper() or b"<!ENTITY" in xml_bytes.upper():
        # The ECB's files declare no DTD; refusing one rules out entity expansion attacks.
        raise invalid(_("a DTD or entity declaration is not allowed"))
    try:
        root = ET.fromstring(xml_bytes)  # noqa: S314 (no DTD, checked above; expat resolves no external entities)
    except ET.ParseError as exc:
        raise invalid(_("not well-formed XML (%(error)s)") % {"error": exc}) from None
    if root.tag != f"{{{ECB_NS['gesmes']}}}Envelope":
        raise invalid(_("the root element is not a gesmes:Envelope"))
    days = root.findall("ecb:Cube/ecb:Cube[@time]", ECB_NS)
    if not days:
        raise invalid(_("no Cube element with a time"))
    found = []
    for day in days:
        try:
            date = dt.date.fromisoformat(day.get("time"))
        except ValueError:
            raise invalid(_("the date %(time)r is not YYYY-MM-DD") % {"time": day.get("time")}) from None
        for cube in day.findall("ecb:Cube", ECB_NS):
            currency, text = (cube.get("currency") or "").upper(), cube.get("rate") or ""
            if len(currency) != 3 or not currency.isalpha():
                raise invalid(
                    _("%(currency)r on %(date)s is not a currency code") % {"currency": currency, "date": date}
                )
            try:
                rate = Decimal(text)
            except InvalidOperation:
                rate = None
            if rate is None or not rate.is_finite() or rate <= 0:
                raise invalid(_("the %(currency)s rate %(rate)r on %(date)s is not a positive number") % {
                    "currency": currency, "rate": text, "date": date})  # fmt: skip
            found.append((date, currency, rate))
    if not found:
        raise invalid(_("the file holds no rates"))
    return found


def import_ecb_rates(xml_bytes, *, reprice=True) -> int:
    """Store the EUR -> X reference rates of an ECB eurofxref XML file (source ECB, valid from the
    day's publication at 16:00 CET); importing the same file again changes nothing. Returns the
    number of rates in the file. Malformed files raise RATE_FILE_INVALID with the reason. With
    `reprice`, the listings priced in the currencies it names are repriced."""
    found = _ecb_rates(xml_bytes)
    with transaction.atomic():
        for date, currency, rate in found:
            as_of = dt.datetime.combine(date, ECB_PUBLISHED_AT, tzinfo=ECB_ZONE)
            ExchangeRate.objects.update_or_create(
                base=EUR, quote=currency, source=ExchangeRate.Source.ECB, as_of=as_of, defaults={"rate": rate}
            )
        if reprice:
            reprice_affected(currencies={EUR} | {currency for _date, currency, _rate in found})
    return len(found)


# --- duties and import taxes ----------------------------------------------------------------------


@dataclass
class DutyBook:
    """The duty rules of the importing countries in force on a day, loaded once. Pricing a page
    of listings asks it the same questions many times: the rules are grouped by country and regime
    and each HS code's match is remembered."""

    rules: list
    rates: RateBook | None = None

    def __post_init__(self):
        self.by_regime = {}
        for rule in self.rules:
            # str(CountryField value) builds a Country object each time; read it once per rule.
            self.by_regime.setdefault((str(rule.country), rule.regime), []).append(rule)
        self.matches = {}
        self.texts = {}

    def remember(self, key, make, *args):
        """The text `make(*args)` returns, made once per key (an explanation depends on the rule,
        not on the value it is applied to)."""
        if key not in self.texts:
            self.texts[key] = make(*args)
        return self.texts[key]

    @classmethod
    def load(cls, *, countries=None, at=None, rates=None):
        day = timezone.localdate(at) if at else timezone.localdate()
        rows = DutyRule.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )
        if countries:
            rows = rows.filter(country__in=list(countries))
        return cls(list(rows), rates)

    def regimes(self, country):
        return {regime for rule_country, regime in self.by_regime if rule_country == country}

    def regime_rules(self, country, regime):
        return self.by_regime.get((country, regime), [])

    def match(self, country, regime, hs_code):
        """The rule with the longest HS prefix of `hs_code` (newest validity first), and the
        regime's catch-all rule (which carries regime-wide values such as the de minimis)."""
        key = (country, regime, hs_code or "")
        if key not in self.matches:
            rules = [r for r in self.regime_rules(country, regime) if (hs_code or "").startswith(r.hs_prefix)]
            rules.sort(key=lambda r: (len(r.hs_prefix), r.valid_from or dt.date.min), reverse=True)
            catch_all = next((r for r in rules if not r.hs_prefix), None)
            self.matches[key] = (rules[0], catch_all) if rules else (None, None)
        return self.matches[key]

    def convert(self, value, currency):
        """`value` (Money) in `currency` (rule limits may be in another currency than the value)."""
        if value.currency.code == currency:
            return value.amount
        rates = self.rates or RateBook.load({value.currency.code, currency})
        return value.amount * rates.rate(value.currency.code, currency)


def _result(currency, *, duty=0, vat=0, ct=0, regime, rules, explanation):
    """The amounts as Decimals in the currency's minor units (duties_and_taxes makes them Money)."""
    duty, vat, ct = (money.quantize(value, currency) for value in (duty, vat, ct))
    return {
        "duty": duty,
        "vat": vat,
        "consumption_tax": ct,
        "total": duty + vat + ct,
        "regime": str(regime),
        "rule_ids": list(dict.fromkeys(rule.pk for rule in rules if rule is not None)),
        "explanation": explanation,
    }


def _import_taxes(value, duty_rate, vat_rate, ct_rate):
    """China's import taxes: ad valorem consumption tax on the composite value
    (value + duty) / (1 - ct) x ct, and VAT on value + duty + consumption tax."""
    duty = value * duty_rate
    ct = (value + duty) / (1 - ct_rate) * ct_rate if ct_rate else Decimal(0)
    vat = (value + duty + ct) * vat_rate
    return duty, vat, ct


def _own_or(rule, catch_all, name):
    """A rule's own value of `name`, else its regime's catch-all rule's."""
    own = getattr(rule, name)
    return own if own is not None else getattr(catch_all, name)


def _within_limit(book, limit, amount, currency):
    return limit is None or amount <= book.convert(limit, currency)


def _cbec_text(rule, share):
    return _(
        "Cross-border e-commerce retail import: no tariff; %(share)s%% of import VAT "
        "(%(vat)s%%) and consumption tax (%(ct)s%%)."
    ) % {"share": _pct(share), "vat": _pct(rule.vat_rate), "ct": _pct(rule.consumption_tax_rate)}


def _de_minimis_text(rule):
    return _("At or below the de minimis value of %(limit)s: no duty or import tax.") % {"limit": rule.de_minimis}


def _regime_text(regime, rule):
    return _("%(regime)s: duty %(duty)s%%, import VAT %(vat)s%%, consumption tax %(ct)s%%.") % {
        "regime": DutyRule.Regime(regime).label,
        "duty": _pct(rule.duty_rate),
        "vat": _pct(rule.vat_rate),
        "ct": _pct(rule.consumption_tax_rate),
    }


def _duties(book, *, country, hs_code, value, currency, shopper_annual_total=None):
    """duties_and_taxes of a customs `value` (a Decimal in `currency`), its amounts as Decimals."""
    country = (country or "").upper()
    regimes = book.regimes(country)
    if DutyRule.Regime.CN_CBEC in regimes:
        rule, catch_all = book.match(country, DutyRule.Regime.CN_CBEC, hs_code)
        if rule is not None:
            limits = catch_all or rule
            transaction_limit = _own_or(rule, limits, "transaction_limit")
            annual_limit = _own_or(rule, limits, "annual_limit")
            if _within_limit(book, transaction_limit, value, currency) and (
                shopper_annual_total is None
                or _within_limit(book, annual_limit, value + book.convert(shopper_annual_total, currency), currency)
            ):
                share = rule.cbec_tax_share if rule.cbec_tax_share else limits.cbec_tax_share
                _duty, vat, ct = _import_taxes(value, Decimal(0), rule.vat_rate, rule.consumption_tax_rate)
                return _result(
                    currency,
                    vat=vat * share,
                    ct=ct * share,
                    regime=DutyRule.Regime.CN_CBEC,
                    rules=[rule],
                    explanation=book.remember(
                        ("cbec", rule.pk, share),
                        lambda: (
                            _(
                                "Cross-border e-commerce retail import: no tariff; %(share)s%% of import VAT "
                                "(%(vat)s%%) and consumption tax (%(ct)s%%)."
                            )
                            % {"share": _pct(share), "vat": _pct(rule.vat_rate), "ct": _pct(rule.consumption_tax_rate)}
                        ),
                    ),
                )
            regimes.discard(DutyRule.Regime.CN_CBEC)  # above the limits: general trade
    for regime in (DutyRule.Regime.US, DutyRule.Regime.GENERAL):
        if regime not in regimes:
            continue
        rule, catch_all = book.match(country, regime, hs_code)
        if rule is None:
            continue
        de_minimis_rule = rule if rule.de_minimis is not None else catch_all
        if (
            de_minimis_rule
            and de_minimis_rule.de_minimis_applies
            and de_minimis_rule.de_minimis is not None
            and value <= book.convert(de_minimis_rule.de_minimis, currency)
        ):
            return _result(
                currency,
                regime=regime,
                rules=[rule, de_minimis_rule],
                explanation=book.remember(("de minimis", de_minimis_rule.pk), _de_minimis_text, de_minimis_rule),
            )
        duty, vat, ct = _import_taxes(value, rule.duty_rate, rule.vat_rate, rule.consumption_tax_rate)
        return _result(
            currency,
            duty=duty,
            vat=vat,
            ct=ct,
            regime=regime,
            rules=[rule],
            explanation=book.remember((regime, rule.pk), _regime_text, regime, rule),
        )
    raise PartnerZoneError(
        Code.NO_DUTY_RULE,
        _("No duty rule of %(country)s matches HS code %(hs)s.") % {"country": country, "hs": hs_code or "-"},
        field="hs_code",
    )


def _pct(rate):
    return format((Decimal(rate) * 100).normalize(), "f")


def duties_and_taxes(*, country, hs_code, customs_value: Money, shopper_annual_total=None, at=None) -> dict:
    """Duties and import taxes of importing `country` on goods of `hs_code` worth `customs_value`
    (goods + shipping, in the home currency): {"duty", "vat", "consumption_tax", "total"} as Money
    in that currency, the "regime" applied, the "rule_ids" used and an "explanation".

    China: cross-border e-commerce retail import within the per-transaction and (when
    `shopper_annual_total` is given) annual limits, else general trade. United States: duty by HS
    chapter, nothing at or below the de minimis value when it applies."""
    book = DutyBook.load(countries=[country.upper()], at=at)
    currency = customs_value.currency.code
    taxes = _duties(
        book,
        country=country,
        hs_code=hs_code,
        value=customs_value.amount,
        currency=currency,
        shopper_annual_total=shopper_annual_total,
    )
    for name in ("duty", "vat", "consumption_tax", "total"):
        taxes[name] = Money(taxes[name], currency)
    return taxes


# --- rounding -------------------------------------------------------------------------------------


def _band(rules, amount: Money):
    """The rounding band of `amount`'s currency that holds it, or None."""
    value = Decimal(amount.amount)
    return next(
        (
            rule
            for rule in rules
            if rule.currency == amount.currency.code
            and rule.min_amount <= value
            and (rule.max_amount is None or value < rule.max_amount)
        ),
        None,
    )


def _round_with(rules, amount: Money) -> Money:
    return Money(_rounded(rules, Decimal(amount.amount), amount.currency.code), amount.currency.code)


def _rounded(rules, value: Decimal, currency) -> Decimal:
    """_round_with on a Decimal amount in `currency` (pricing's arithmetic is on Decimals)."""
    band = next(
        (
            rule
            for rule in rules
            if rule.currency == currency
            and rule.min_amount <= value
            and (rule.max_amount is None or value < rule.max_amount)
        ),
        None,
    )
    if band is not None:
        value = money.nearest_ending(value, band.step, offset=band.ending_offset)
    return money.quantize(value, currency)


def rounding_bound(rules, amount: Money) -> Decimal:
    """How far the market's rounding may move `amount` at most: half its band's step (half a minor
    unit where no band applies)."""
    band = _band(rules, amount)
    return band.step / 2 if band is not None else money.quantum(amount.currency.code) / 2


def round_price(amount: Money) -> Money:
    """A shown price rounded to the market's charm price nearest it, by the rule for its currency
    and band (CNY 23.4 -> 23.9, 197.98 -> 197.9, 1017.81 -> 1019; USD 23.40 -> 22.99): the price
    of the band's form (a multiple of the step minus the ending offset) closest to `amount`, so it
    moves by at most half the band's step, up or down (ADR 0026). Without a rule: to the cent,
    half up."""
    return _round_with(list(RoundingRule.objects.filter(currency=amount.currency.code)), amount)


# --- the landed price -----------------------------------------------------------------------------


def _agreed(partnership):
    """The fee terms pricing reads, as a tuple; a bad stored one is a pricing problem naming its key."""
    try:
        terms = partnership.terms
        return (
            terms.fx_margin,
            terms.shipping_local_per_item,
            terms.shipping_direct_per_item,
            terms.zone_fee_per_item,
            terms.duties_included,
        )
    except TermsError as exc:
        raise PartnerZoneError(Code.INVALID, exc.detail, field=f"fee_schedule.{exc.key}") from exc


@dataclass
class PricingContext:
    """Everything pricing reads besides the listings, loaded once for a batch."""

    at: dt.datetime
    currency: str
    country: str
    rates: RateBook
    duties: DutyBook
    rounding: list
    campaigns: dict  # listing id -> Campaign
    markdowns: dict = field(default_factory=dict)  # listing id -> [Markdown with units left], largest first
    agreed: dict = field(default_factory=dict)  # partnership id -> its fee terms (_agreed)

    @classmethod
    def load(cls, listing_ids, *, at=None, currencies=()):
        at = at or timezone.now()
        home = settings.PLATFORM_CURRENCY
        duties = DutyBook.load(countries=[settings.PLATFORM_COUNTRY], at=at)
        # The rules' limits may be in another currency than the home one (CNY limits, a JPY home).
        limits = {
            limit.currency.code
            for rule in duties.rules
            for limit in (rule.transaction_limit, rule.annual_limit, rule.de_minimis)
            if limit is not None
        }
        rates = duties.rates = RateBook.load({home, *currencies, *limits}, at=at)
        today = timezone.localdate(at)
        # The campaign each zone's banner announces (selectors.campaign_story) is the one that
        # discounts: its goods and no others'.
        campaigns = selectors.story_discounts(listing_ids, today)
        markdowns = {}
        running = Markdown.objects.filter(
            listing_id__in=list(listing_ids), started_at__lte=at, sold__lt=F("quantity")
        ).order_by("-percent", "started_at", "pk")
        for markdown in running:
            markdowns.setdefault(markdown.listing_id, []).append(markdown)
        return cls(
            at=at,
            currency=home,
            country=settings.PLATFORM_COUNTRY,
            rates=rates,
            duties=duties,
            rounding=list(RoundingRule.objects.filter(currency=home)),
            campaigns=campaigns,
            markdowns=markdowns,
        )


def _markdown_for(listing, context, sku, quantity):
    """The markdown that applies: none unless the goods ship from our warehouse; for the shown
    price (no `sku`) the largest of the listing's, for an order line the largest on its SKU with
    units left for the whole line."""
    if listing.ships_from != PartnerListing.ShipsFrom.LOCAL:
        return None
    for markdown in context.markdowns.get(listing.pk, ()):
        if sku is None or (markdown.sku == sku and markdown.units_left >= quantity):
            return markdown
    return None


def landed_price(listing, context, *, sku=None, quantity=1):
    """(list_price, price, LandedPrice) of one listing; raises PartnerZoneError when it has none.
    `sku` and `quantity`: an order line's, so that a markdown applies only to the units it covers."""
    home = context.currency
    agreed = context.agreed.get(listing.partnership_id)
    if agreed is None:  # parsed once per partnership and context (a bad one raises each time)
        agreed = context.agreed[listing.partnership_id] = _agreed(listing.partnership)
    fx_margin, shipping_local, shipping_direct, zone_fee, duties_included = agreed
    export = listing.export_price  # a Money built on every read: read once
    export_amount, export_currency = export.amount, export.currency.code
    fx_rate = context.rates.rate(export_currency, home)
    # Decimal arithmetic in the home currency's minor units (Money's was a sixth of a batch's time).
    quantize = money.quantize
    goods = quantize(export_amount * fx_rate * (1 + fx_margin), home)
    local = listing.ships_from == PartnerListing.ShipsFrom.LOCAL
    shipping = quantize(shipping_local if local else shipping_direct, home)
    fees = quantize(zone_fee, home)
    taxes = _duties(
        context.duties, country=context.country, hs_code=listing.hs_code, value=goods + shipping, currency=home
    )
    shown = goods + shipping + fees + (taxes["total"] if duties_included else Decimal(0))
    list_price = _rounded(context.rounding, shown, home)
    days = settings.PARTNER_ZONE["LOCAL_DELIVERY_DAYS" if local else "DIRECT_DELIVERY_DAYS"]
    price, campaign_part, markdown_part = list_price, None, None
    campaign = context.campaigns.get(listing.pk)
    if campaign is not None and campaign.discount_percent:
        price = _rounded(context.rounding, list_price * (1 - Decimal(campaign.discount_percent) / 100), home)
        price = min(price, list_price)  # rounding up never makes a discount a mark-up
        campaign_part = CampaignDiscount(
            reference=str(campaign.reference),
            title=campaign.local_title or campaign.title,
            banner_text=campaign.banner_text,
            discount_percent=Decimal(str(campaign.discount_percent)),
            partner_share_percent=Decimal(str(campaign.partner_share_percent)),
            ends_on=campaign.ends_on,
            # What the shopper saves after rounding up (never below the agreed discount's price).
            saving=quantize(list_price - price, home),
        )
    markdown = _markdown_for(listing, context, sku, quantity)
    if markdown is not None:
        marked_down = min(
            _rounded(context.rounding, list_price * (1 - Decimal(markdown.percent) / 100), home), list_price
        )
        if marked_down < price:
            price = marked_down
            campaign_part = None  # the larger discount wins; the partner's campaign share is not due
            markdown_part = MarkdownDiscount(
                reference=str(markdown.reference),
                sku=markdown.sku,
                percent=markdown.percent,
                units_left=markdown.units_left,
                saving=quantize(list_price - price, home),
            )
    breakdown = LandedPrice(
        currency=home,
        goods=goods,
        shipping=shipping,
        fees=fees,
        duties=taxes["duty"],
        vat=taxes["vat"],
        consumption_tax=taxes["consumption_tax"],
        taxes_total=taxes["total"],
        duties_included=duties_included,
        rounding=quantize(list_price - shown, home),
        list_price=list_price,
        price=price,
        fx_rate=fx_rate,
        fx_margin=fx_margin,
        export_amount=quantize(export_amount, export_currency),
        export_currency=export_currency,
        regime=taxes["regime"],
        tax_explanation=str(taxes["explanation"]),
        ships_from=listing.ships_from,
        delivery_days=days,
        campaign=campaign_part,
        markdown=markdown_part,
    )
    return Money(list_price, home), Money(price, home), breakdown


PRICED_FIELDS = ["price", "list_price", "price_breakdown", "priced_at", "pricing_problem"]


def price_in_place(listing, context):
    """Set the listing's price fields (not saved); True when its price or problem changed."""
    try:
        list_price, price, landed = landed_price(listing, context)
        breakdown, problem = landed.as_dict(), ""
    except PartnerZoneError as error:
        list_price = price = None
        breakdown, problem = {}, str(error.detail)[:300]
    changed = (listing.price, listing.list_price, listing.pricing_problem) != (price, list_price, problem)
    listing.price, listing.list_price, listing.price_breakdown = price, list_price, breakdown
    listing.priced_at, listing.pricing_problem = context.at, problem
    return changed


def price_listings(listing_ids, *, at=None):
    """Price these listings at `at` (now) and store price, list price, breakdown and any problem.
    A fixed number of queries whatever the number of listings: the listings, the rates, the duty
    and rounding rules and the campaigns are each read once, and the results written in one
    statement (see _store_prices). Returns the listings."""
    ids = list(listing_ids)
    if not ids:
        return []
    listings = list(PartnerListing.objects.filter(pk__in=ids).order_by("pk"))
    return _price_and_store(listings, at=at)


class _Priced:
    """What pricing reads of a listing and writes back, without a model instance (the batch
    repricers read a thousand rows at a time and return counts: building model instances and
    going through the Money descriptors cost more than pricing them)."""

    __slots__ = (
        "pk",
        "partnership_id",
        "partnership",
        "export_price",
        "ships_from",
        "hs_code",
        "price",
        "list_price",
        "price_breakdown",
        "priced_at",
        "pricing_problem",
    )

    def __init__(self, pk, partnership_id, amount, currency, ships_from, hs_code, problem):
        self.pk, self.partnership_id, self.ships_from, self.hs_code = pk, partnership_id, ships_from, hs_code
        self.export_price = Money(amount, currency)
        self.price = self.list_price = None  # not read: price_in_place's answer is not used here
        self.pricing_problem = problem


def _reprice_batch(ids, *, at=None) -> int:
    """price_listings for a batch repricer: the same prices, written the same way; the number priced."""
    if connection.vendor != "postgresql":  # bulk_update writes model instances
        return len(price_listings(ids, at=at))
    rows = (
        PartnerListing.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "partnership_id", "export_price", "export_price_currency", "ships_from", "hs_code")
    )
    return len(_price_and_store([_Priced(*row, "") for row in rows], at=at))


def _price_and_store(listings, *, at):
    if not listings:
        return []
    # One instance per partnership, shared by its listings: its terms are parsed once a batch.
    partnerships = Partnership.objects.in_bulk({listing.partnership_id for listing in listings})
    cache = PartnerListing.partnership.field
    for listing in listings:
        if isinstance(listing, _Priced):
            listing.partnership = partnerships[listing.partnership_id]
        else:
            cache.set_cached_value(listing, partnerships[listing.partnership_id])
    context = PricingContext.load(
        [listing.pk for listing in listings],
        at=at,
        currencies={listing.export_price.currency.code for listing in listings},
    )
    for listing in listings:
        price_in_place(listing, context)
    _store_prices(listings)
    return listings


def _store_prices(listings):
    """Write the listings' priced fields. On PostgreSQL the computed values travel by COPY into a
    temporary table and one UPDATE ... FROM writes them all (bulk_update builds a CASE WHEN per row
    and column, 7 x 1,000 compiled expressions a batch, which cost 20 times the SQL's time); else
    bulk_update."""
    # A MoneyField's currency is a column of its own.
    columns = [*PRICED_FIELDS, "price_currency", "list_price_currency"]
    with transaction.atomic():
        if connection.vendor != "postgresql":
            PartnerListing.objects.bulk_update(listings, columns, batch_size=len(listings))
            return
        statement = _store_statement()
        lines = []
        for listing in listings:
            price, list_price = listing.price, listing.list_price
            lines.append(
                "\t".join(
                    (
                        str(listing.pk),
                        _NULL if price is None else str(price.amount),
                        _NULL if price is None else price.currency.code,
                        _NULL if list_price is None else str(list_price.amount),
                        _NULL if list_price is None else list_price.currency.code,
                        _copy_escaped(json.dumps(listing.price_breakdown, ensure_ascii=False)),
                        listing.priced_at.isoformat(),
                        _copy_escaped(listing.pricing_problem),
                    )
                )
            )
        lines.append("")
        with connection.cursor() as cursor:
            cursor.execute(statement["stage"])
            cursor.cursor.copy_expert(statement["copy"], io.StringIO("\n".join(lines)))
            cursor.execute(statement["update"])
            cursor.execute(statement["empty"])  # for a second batch in the same transaction


_NULL = "\\N"
_STORE = {}


def _copy_escaped(text):
    """Text as COPY reads it: backslash, tab, newline and carriage return escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _store_statement():
    """The statements of _store_prices, made once from the model (names from the model, never data)."""
    if not _STORE:
        quote = connection.ops.quote_name
        meta = PartnerListing._meta
        names = ["price", "price_currency", "list_price", "list_price_currency", "price_breakdown"]
        names += ["priced_at", "pricing_problem"]
        columns = [quote(meta.get_field(name).column) for name in names]
        table, stage = quote(meta.db_table), quote("partner_zone_priced")
        listed = ", ".join(columns)
        _STORE.update(
            stage=f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT id, {listed} FROM {table} WITH NO DATA",
            copy=f"COPY {stage} (id, {listed}) FROM STDIN",
            update=f"UPDATE {table} AS listing SET "  # noqa: S608
            + ", ".join(f"{column} = priced.{column}" for column in columns)
            + f" FROM {stage} AS priced WHERE listing.id = priced.id",
            empty=f"TRUNCATE {stage}",
        )
    return _STORE


def price_listing(listing, *, at=None) -> PartnerListing:
    """Price one listing (see price_listings) and return it with its new price."""
    priced = price_listings([listing.pk], at=at)
    if priced:
        for name in PRICED_FIELDS:
            setattr(listing, name, getattr(priced[0], name))
    return listing


def _batches(queryset, size):
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def reprice_all(*, at=None, batch_size=REPRICE_BATCH, partnership=None) -> int:
    """Reprice every active listing (of one partnership, or all) in batches, so that campaign
    starts and ends and new rates apply. Safe to run twice. Returns the number repriced."""
    queryset = PartnerListing.objects.filter(is_active=True)
    if partnership is not None:
        queryset = queryset.filter(partnership=partnership)
    count = 0
    for ids in _batches(queryset, batch_size):
        count += _reprice_batch(ids, at=at)
    return count


def reprice_affected(*, currencies=(), hs_prefix=None, everything=False, listing_ids=None, at=None) -> int:
    """Reprice the active listings a changed rate or rule affects: a rate between `currencies` (all
    listings when the home currency or EUR is one of them: cross rates go through EUR), a duty rule
    for `hs_prefix`, or `everything` (a rounding rule). Returns the number repriced."""
    queryset = PartnerListing.objects.filter(is_active=True)
    currencies = {c.upper() for c in currencies}
    if listing_ids is not None:
        queryset = queryset.filter(pk__in=list(listing_ids))
    elif everything or currencies & {EUR, settings.PLATFORM_CURRENCY}:
        pass
    elif currencies:
        queryset = queryset.filter(export_price_currency__in=currencies)
    elif hs_prefix is not None:
        queryset = queryset.filter(hs_code__startswith=hs_prefix)
    else:
        return 0
    count = 0
    for ids in _batches(queryset, REPRICE_BATCH):
        count += _reprice_batch(ids, at=at)
    return count
