"""The "Goods abroad" page's figures: what the catalog knows itself (offered, mirrored) and what
later apps add through the port `catalog.hooks.abroad_figures` (stock in the partner's warehouse
and its age from logistics; views, sales, returns and unmet searches from after-sales' demand
reports). A figure that does not reach us is `None` and the page says "not reported by the
partner", never a zero it does not know."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import FeedConfirmation

COLUMNS = {
    "mirrored": gettext_lazy("In the partner's zone"),
    "viewed": gettext_lazy("Viewed"),
    "sold": gettext_lazy("Sold"),
    "returned": gettext_lazy("Returned"),
    "stock": gettext_lazy("In the partner's warehouse"),
}


@dataclass(frozen=True)
class Figure:
    """One figure of a cell: `value` (None: not known) and a short note (the period, the report's
    date, a breakdown)."""

    value: object = None
    note: str = ""
    # What to say when `value` is None (default: not reported by the partner).
    missing: str = ""


@dataclass
class AbroadFigures:
    """A subscriber's answer: figures per (product id, partnership id) and column, and per
    partnership the searches its shoppers made without results."""

    cells: dict = field(default_factory=lambda: defaultdict(dict))  # {(product, partnership): {column: [Figure]}}
    searches: dict = field(default_factory=lambda: defaultdict(list))  # {partnership id: [(query, shoppers)]}
    notes: dict = field(default_factory=lambda: defaultdict(list))  # {partnership id: [text]}

    def add(self, product_id, partnership_id, column, figure):
        self.cells[(product_id, partnership_id)].setdefault(column, []).append(figure)

    def merge(self, other):
        for key, columns in other.cells.items():
            for column, figures in columns.items():
                self.cells[key].setdefault(column, []).extend(figures)
        for partnership_id, searches in other.searches.items():
            self.searches[partnership_id].extend(searches)
        for partnership_id, notes in other.notes.items():
            self.notes[partnership_id].extend(notes)


def mirrored_figures(products):
    """Whether each offered product is in the partner's zone: the partner's last incremental fetch
    confirmed every offer changed before its `updated_since` (FeedConfirmation). One query."""
    offers = [offer for product in products for offer in product.export_offers.all()]
    confirmed = dict(
        FeedConfirmation.objects.filter(partnership__in={offer.partnership_id for offer in offers}).values_list(
            "partnership_id", "mirrored_before"
        )
    )
    figures = AbroadFigures()
    for offer in offers:
        if not offer.is_offered:
            continue
        until = confirmed.get(offer.partnership_id)
        if until is None:
            figure = Figure(None)
        elif offer.changed_at < until:
            figure = Figure(True, _("this version is in its zone"))
        else:
            figure = Figure(False, _("not yet: the partner has not fetched this version"))
        figures.add(offer.product_id, offer.partnership_id, "mirrored", figure)
    return figures
