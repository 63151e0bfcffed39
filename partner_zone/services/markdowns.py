"""Markdowns of the partner's aged consignment stock in our zone. Logistics carries out an aged-stock
action the exporter agreed to (logistics.hooks.aged_stock_markdown): the listing showing the SKU is
priced that percent lower, by the market's rounding rule, for the agreed units sold from our
warehouse. A line sold at the markdown owes the exporter its export price marked down by the same
percent (checkout's quote), so the exporter bears the markdown it agreed to; when the agreed units
are sold the listing's price goes back up."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import PartnerZoneErrorCode as Code
from ..landed_price import LandedPrice
from ..models import Markdown, PartnerListing
from . import PartnerZoneError, pricing, sync


def _refuse(action, reason):
    return PartnerZoneError(
        Code.NOT_ORDERABLE,
        _("The markdown of %(sku)s cannot lower its price in our zone: %(reason)s")
        % {"sku": action.sku, "reason": reason},
        field="sku",
        status=409,
    )


@transaction.atomic
def apply_aged_markdown(action):
    """logistics.hooks.aged_stock_markdown: start the markdown of an agreed aged-stock action and
    reprice its listing, in the caller's transaction. Refused (nothing kept) when no listing of the
    partner shows the SKU, or the repriced listing does not show the markdown (it cannot be priced,
    or its goods do not ship from our warehouse). Repeating it for the same action changes nothing."""
    partnership = action.partnership
    listing = sync.listing_offering(partnership, action.sku)
    if listing is None:
        raise _refuse(
            action, _("no listing of %(partner)s in our zone offers it.") % {"partner": partnership.partner.code}
        )
    markdown, _created = Markdown.objects.get_or_create(
        partnership=partnership,
        reference=action.reference,
        defaults={
            "listing": listing,
            "sku": action.sku,
            "percent": action.markdown_percent,
            "quantity": action.quantity,
            "started_at": timezone.now(),
        },
    )
    listing = pricing.price_listing(listing)
    landed = LandedPrice.from_dict(listing.price_breakdown)
    if landed is None or landed.markdown is None:
        if listing.price is None:
            reason = listing.pricing_problem or _("the listing has no price.")
        elif listing.ships_from != PartnerListing.ShipsFrom.LOCAL:
            reason = _("the listing does not ship from our warehouse (no sellable consignment units).")
        else:
            reason = _("a larger discount already applies.")
        raise _refuse(action, reason)
    return markdown


@transaction.atomic
def record_markdown_sale(*, partnership, reference, quantity):
    """`quantity` units sold at the markdown `reference` (a paid order line): counted against the
    agreed units, never past them; the listing is repriced when none are left."""
    markdown = Markdown.objects.select_for_update().filter(partnership=partnership, reference=reference).first()
    if markdown is None:
        return None
    Markdown.objects.filter(pk=markdown.pk).update(sold=Least(F("sold") + int(quantity), F("quantity")))
    markdown.refresh_from_db()
    if markdown.units_left <= 0:
        pricing.price_listings([markdown.listing_id])
    return markdown
