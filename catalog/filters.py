"""The shopper's filters and sort order on listing pages (category and search), as django-filter
FilterSets. Filters come in two groups: the *narrowing* ones (price, stock), applied before the
facets are counted, and the *faceted* ones (brand, country), whose choices and counts come from the
facet rows (catalog.selectors.FacetRows). Bad values are reported on the field and ignored."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crossborder import money

from .models import Product

MAX_FACET_VALUES = 30
PRICE_FIELD = {"min_value": 0, **money.MONEY_COLUMN}


class FacetValuesField(forms.MultipleChoiceField):
    """Any short values, checked against nothing: the facet rows decide what exists, and a value
    that no longer matches anything simply finds nothing (an old link still works)."""

    def __init__(self, *, max_length=80, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def valid_value(self, value):
        return 0 < len(value) <= self.max_length

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_FACET_VALUES:
            raise forms.ValidationError(
                _("Choose at most %(n)d values."), code="too_many", params={"n": MAX_FACET_VALUES}
            )


class FacetFilter(django_filters.MultipleChoiceFilter):
    field_class = FacetValuesField

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_name}__in": list(dict.fromkeys(value))})


class ListingForm(forms.Form):
    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price is below the lowest price."))
        return data


def in_stock_condition():
    return Q(in_stock=True)  # kept by catalog.services.refresh_in_stock


class StorefrontFilter(django_filters.FilterSet):
    """The storefront listing kit's filter set, shared by the home catalog's listing pages and the
    partner zone's: a price range in the home currency and the sort order, plus what a subclass
    declares. `NARROWING` names the filters applied before anything is counted; the sort is
    applied by the page, after counting. A subclass sets Meta (model, form = ListingForm)."""

    NARROWING = ("price_min", "price_max")
    SORT_CHOICES = [("newest", _("Newest")), ("price", _("Price: low to high")), ("-price", _("Price: high to low"))]
    DEFAULT_SORT = "newest"

    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte", label=_("From"), **PRICE_FIELD)
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte", label=_("To"), **PRICE_FIELD)
    sort = django_filters.ChoiceFilter(method="keep", label=_("Sort by"), empty_label=None)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["sort"].extra["choices"] = self.SORT_CHOICES

    def keep(self, queryset, name, value):
        return queryset  # applied by the page (the sort after counting)

    def _apply(self, queryset, names):
        self.form.is_valid()
        data = self.form.cleaned_data
        for name in names:
            if name in data:
                queryset = self.filters[name].filter(queryset, data[name])
        return queryset

    def narrow(self, queryset):
        """The filters of NARROWING: what the counts (facets, categories) are taken over."""
        return self._apply(queryset, self.NARROWING)

    def value(self, name):
        self.form.is_valid()
        return self.form.cleaned_data.get(name)

    @property
    def chosen_sort(self):
        return self.value("sort") or self.DEFAULT_SORT

    @property
    def is_narrowed(self):
        return any(self.value(name) not in (None, False, "") for name in self.NARROWING)

    @property
    def currency(self):
        return settings.PLATFORM_CURRENCY


# The search pages' extra sort order, their default.
RELEVANCE = ("relevance", _("Best match"))


class ListingFilter(StorefrontFilter):
    """Filters and sort order of a category page."""

    NARROWING = ("price_min", "price_max", "in_stock")
    FACETED = ("brand", "country")

    brand = FacetFilter(field_name="brand", label=_("Brand"), max_length=80)
    country = FacetFilter(field_name="country_of_origin", label=_("Country of origin"), max_length=2)
    in_stock = django_filters.BooleanFilter(
        method="filter_in_stock", label=_("In stock only"), widget=forms.CheckboxInput
    )

    class Meta:
        model = Product
        fields = []
        form = ListingForm

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(in_stock_condition()) if value else queryset

    def facet_filter(self, queryset):
        return self._apply(queryset, self.FACETED)

    @property
    def chosen_brands(self):
        return self.value("brand") or []

    @property
    def chosen_countries(self):
        return self.value("country") or []

    def narrowing_key(self):
        """What the narrowed scope depends on, for the facet cache (kept until the next product
        change: a product coming into or going out of stock is one, catalog.services.refresh_in_stock)."""
        return (str(self.value("price_min")), str(self.value("price_max")), bool(self.value("in_stock")))


class SearchFilter(ListingFilter):
    """The same filters on the search page, with relevance (the default) as an extra sort order."""

    SORT_CHOICES = [RELEVANCE, *ListingFilter.SORT_CHOICES]
    DEFAULT_SORT = "relevance"
