"""The merchant's "Goods abroad" page (catalog.hooks.abroad_figures): our goods in each partner's
warehouse and the age of the oldest unit, and the units sold from there, as the partner's nightly
stock and sales reports left them."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog import hooks as catalog_hooks
from catalog.abroad import AbroadFigures, Figure

from .. import selectors


def abroad_stock(*, merchant, products):
    figures = AbroadFigures()
    goods = selectors.goods_abroad_by_product(products)
    for product in products:
        for offer in product.export_offers.all():
            entry = goods.get((product.pk, offer.partnership_id))
            if entry is None:
                figures.add(product.pk, offer.partnership_id, "stock", Figure(None, missing=_("none consigned")))
                continue
            if entry["reported_at"] is None:
                figures.add(product.pk, offer.partnership_id, "stock", Figure(None))
                continue
            age = entry["oldest_age_days"]
            note = (
                ngettext("oldest unit %(days)s day", "oldest unit %(days)s days", age) % {"days": age}
                if age is not None
                else _("age not reported")
            )
            as_of = _("as of %(date)s") % {"date": formats.date_format(entry["reported_at"], "SHORT_DATE_FORMAT")}
            figures.add(product.pk, offer.partnership_id, "stock", Figure(entry["on_hand"], f"{note} · {as_of}"))
            figures.add(
                product.pk,
                offer.partnership_id,
                "sold",
                Figure(entry["sold"], _("from its warehouse, all reports")),
            )
    return figures


catalog_hooks.abroad_figures.subscribe(abroad_stock)
