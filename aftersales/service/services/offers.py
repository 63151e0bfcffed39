"""Who can serve an address, at what price: the active providers with the skill whose service area
covers the city or the postcode, cheapest first (then the one with fewest open tickets, then the
longest registered). Dispatch takes the first; checkout prices installation by it; ops may choose
another in the admin. Also who pays, by the agreement (docs/adr/0020)."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from djmoney.money import Money

from catalog.models import Product
from crossborder import money
from crossborder.errors import DomainError
from crossborder.models import Partnership
from crossborder.terms import TermsError
from partner_zone.models import PartnerListing
from payments.shop.extras import PricedExtra

from ...errors import ServiceErrorCode as Code
from ...models import ProviderSkill, ServiceArea, ServiceProvider, ServiceTicket, Skill
from ...models.service import city_key

log = logging.getLogger(__name__)

BUSY = (ServiceTicket.Status.DISPATCHED, ServiceTicket.Status.ACCEPTED, ServiceTicket.Status.SCHEDULED)


@dataclass(frozen=True)
class Offer:
    """A provider able to do the job, its unit price (local currency) and how many open tickets it has."""

    provider: ServiceProvider
    unit_price: Money
    open_tickets: int


def skill_for(code):
    """The skill of that code, or a refusal naming the known ones."""
    skill = Skill.objects.filter(code=str(code or "").strip()).first() if isinstance(code, str) else None
    if skill is None:
        raise DomainError(
            Code.UNKNOWN_SKILL,
            _("There is no service %(skill)r; choose one of: %(known)s.")
            % {"skill": str(code)[:40], "known": ", ".join(str(label) for label in Skill.Code.labels)},
            field="skill",
        )
    return skill


def postcode_key(postcode):
    return "".join(str(postcode or "").split()).upper()


def covers(city, postcode):
    """A ServiceArea filter: the area names this city (with no postcode prefix, or one the postcode
    starts with), or a postcode prefix the postcode starts with (in any city, or this one)."""
    key, code = city_key(city), postcode_key(postcode)
    prefixes = [code[:n] for n in range(1, len(code) + 1)]
    whole_city = Q(city_key=key, postcode_prefix="") if key else Q(pk__in=[])
    by_postcode = Q(postcode_prefix__in=prefixes) & (Q(city_key="") | Q(city_key=key)) if prefixes else Q(pk__in=[])
    return whole_city | by_postcode


def offers(*, skill, city, postcode, provider=None):
    """Every offer for the job, best first (one query)."""
    prices = ProviderSkill.objects.filter(
        provider=OuterRef("pk"), skill=skill, price_currency=settings.PLATFORM_CURRENCY
    )
    load = (
        ServiceTicket.objects.filter(provider=OuterRef("pk"), status__in=BUSY)
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    found = (
        ServiceProvider.objects.filter(is_active=True)
        .filter(Exists(ServiceArea.objects.filter(covers(city, postcode), provider=OuterRef("pk"))))
        .annotate(unit_price=Subquery(prices.values("price")[:1], output_field=DecimalField()))
        .filter(unit_price__isnull=False)
        .annotate(open_tickets=Coalesce(Subquery(load, output_field=IntegerField()), Value(0)))
        .order_by("unit_price", "open_tickets", "pk")
    )
    if provider is not None:
        found = found.filter(pk=provider.pk)
    return [
        Offer(
            provider=row,
            unit_price=money.money(row.unit_price, settings.PLATFORM_CURRENCY),
            open_tickets=row.open_tickets,
        )
        for row in found
    ]


def out_of_area(skill, city, postcode):
    where = " ".join(part for part in (str(city or "").strip(), str(postcode or "").strip()) if part) or "-"
    return DomainError(
        Code.OUT_OF_AREA,
        _("No service provider does %(skill)s in %(where)s: we cannot send anyone to this address.")
        % {"skill": skill.get_code_display(), "where": where[:140]},
        field="city",
    )


def best_offer(*, skill, city, postcode):
    """The offer dispatch takes, or a refusal saying that nobody serves the address."""
    found = offers(skill=skill, city=city, postcode=postcode)
    if not found:
        raise out_of_area(skill, city, postcode)
    return found[0]


def payer_for(*, skill, partnership):
    """Who pays a ticket of this skill on these goods: the agreement's service_<skill>_payer for a
    partner's goods, settings.SERVICE_TICKETS["OWN_GOODS_PAYERS"] for ours. A bad stored term is
    logged for ops and the platform pays (the shopper is never charged by a broken agreement)."""
    if partnership is None:
        return settings.SERVICE_TICKETS["OWN_GOODS_PAYERS"].get(skill.code, ServiceTicket.Payer.PLATFORM)
    try:
        return partnership.terms.service_payer(skill.code)
    except TermsError as exc:
        log.error("partnership %s: %s; the platform pays the service", partnership.pk, exc.detail)
        return ServiceTicket.Payer.PLATFORM


def needs_installation(request):
    """Whether the goods of a checkout's extra request are flagged as needing installation."""
    if request.listing_id:
        return PartnerListing.objects.filter(pk=request.listing_id, needs_installation=True).exists()
    return Product.objects.filter(pk=request.product_id, needs_installation=True).exists()


def price_checkout_extras(*, requests, recipient, language=None):
    """payments.hooks.checkout_extras: installation for each chosen line, priced by the offer dispatch
    would take for the address, times the units; zero for the shopper when the agreement makes the
    platform or the partner pay. Refuses goods that need no installation and an address nobody serves."""
    skill = skill_for(Skill.Code.INSTALLATION)
    city, postcode = recipient.get("city", ""), recipient.get("postcode", "")
    extras = []
    for request in requests:
        if not needs_installation(request):
            raise DomainError(
                Code.NOT_OFFERED,
                _("%(title)s needs no installation.") % {"title": request.title},
                field="services",
            )
        try:
            offer = best_offer(skill=skill, city=city, postcode=postcode)
        except DomainError as error:
            error.field = "services"
            raise
        partnership = Partnership.objects.filter(pk=request.partnership_id).first() if request.partnership_id else None
        payer = payer_for(skill=skill, partnership=partnership)
        price = offer.unit_price * request.quantity
        extras.append(
            PricedExtra(
                line_number=request.line_number,
                code=skill.code,
                title=_("Installation: %(title)s") % {"title": request.title},
                amount=price if payer == ServiceTicket.Payer.SHOPPER else money.money(0, settings.PLATFORM_CURRENCY),
                detail={
                    "skill": skill.code,
                    "payer": payer,
                    "price": str(price.amount),
                    "quantity": request.quantity,
                    "language": language or settings.LANGUAGE_CODE,
                },
            )
        )
    return extras
