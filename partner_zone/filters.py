"""The shopper's filters and sort order on the zone's listing pages (category and search): price
range in the home currency, "ships from our local warehouse", a category (on the search page) and
the sort. Bad values are reported on the field and ignored, as on the home catalog's pages."""

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from catalog.filters import PRICE_FIELD, ListingForm

from .models import PartnerListing


class ZoneListingFilter(django_filters.FilterSet):
    """Filters of a zone category page. The category filter is not applied here: the page turns the
    chosen category into its subtree (catalog.selectors.category_tree)."""

    NARROWING = ("price_min", "price_max", "local")
    SORT_CHOICES = [("newest", _("Newest")), ("price", _("Price: low to high")), ("-price", _("Price: high to low"))]
    DEFAULT_SORT = "newest"

    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte", label=_("From"), **PRICE_FIELD)
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte", label=_("To"), **PRICE_FIELD)
    local = django_filters.BooleanFilter(
        method="filter_local", label=_("Ships from our local warehouse"), widget=forms.CheckboxInput
    )
    category = django_filters.NumberFilter(method="keep", label=_("Category"), min_value=1, max_value=2**31 - 1)
    sort = django_filters.ChoiceFilter(method="keep", label=_("Sort by"), empty_label=None)

    class Meta:
        model = PartnerListing
        fields = []
        form = ListingForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["sort"].extra["choices"] = self.SORT_CHOICES

    def filter_local(self, queryset, name, value):
        return queryset.filter(ships_from=PartnerListing.ShipsFrom.LOCAL) if value else queryset

    def keep(self, queryset, name, value):
        return queryset  # applied by the page (the sort after counting, the category as a subtree)

    def value(self, name):
        self.form.is_valid()
        return self.form.cleaned_data.get(name)

    def narrow(self, queryset):
        self.form.is_valid()
        data = self.form.cleaned_data
        for name in self.NARROWING:
            if name in data:
                queryset = self.filters[name].filter(queryset, data[name])
        return queryset

    @property
    def chosen_sort(self):
        return self.value("sort") or self.DEFAULT_SORT

    @property
    def chosen_category(self):
        return self.value("category")

    @property
    def is_narrowed(self):
        return any(self.value(name) not in (None, False, "") for name in self.NARROWING)

    @property
    def currency(self):
        return settings.PLATFORM_CURRENCY


class ZoneSearchFilter(ZoneListingFilter):
    """The same filters on the zone's search page, with relevance (the default) as an extra sort."""

    SORT_CHOICES = [("relevance", _("Best match")), *ZoneListingFilter.SORT_CHOICES]
    DEFAULT_SORT = "relevance"
