"""The shopper's filters and sort order on the zone's listing pages (category and search): the
storefront listing kit's price range and sort (catalog.filters.StorefrontFilter), "ships from our
local warehouse" and a category (on the search page). Bad values are reported on the field and
ignored, as on the home catalog's pages."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.filters import RELEVANCE, ListingForm, StorefrontFilter

from .models import PartnerListing


class ZoneListingFilter(StorefrontFilter):
    """Filters of a zone category page. The category filter is not applied here: the page turns the
    chosen category into its subtree (catalog.selectors.category_tree)."""

    NARROWING = ("price_min", "price_max", "local")

    local = django_filters.BooleanFilter(
        method="filter_local", label=_("Ships from our local warehouse"), widget=forms.CheckboxInput
    )
    category = django_filters.NumberFilter(method="keep", label=_("Category"), min_value=1, max_value=2**31 - 1)

    class Meta:
        model = PartnerListing
        fields = []
        form = ListingForm

    def filter_local(self, queryset, name, value):
        return queryset.filter(ships_from=PartnerListing.ShipsFrom.LOCAL) if value else queryset

    @property
    def is_priced_range(self):
        """Whether a price bound narrows the listings (else the zone's kept counts answer)."""
        return self.value("price_min") is not None or self.value("price_max") is not None

    @property
    def chosen_category(self):
        return self.value("category")


class ZoneSearchFilter(ZoneListingFilter):
    """The same filters on the zone's search page, with relevance (the default) as an extra sort."""

    SORT_CHOICES = [RELEVANCE, *ZoneListingFilter.SORT_CHOICES]
    DEFAULT_SORT = "relevance"
