"""Merchant-area forms: they parse what the merchant typed into the services' inputs and show the
services' refusals on the field they name. The rules themselves live in catalog.services."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from djmoney.money import Money

from crossborder import bounds

from . import selectors, services
from .models import Category, ExportOffer, MerchantRole, Product, ProductVariant

# Where the services' error `field` names a variant's part, the variant rows carry it.
VARIANT_FIELDS = ("sku", "price", "stock", "attributes")
# Error fields the services use that the product form shows under another name.
PRODUCT_FIELD_ALIASES = {"language": "original_language", "country": "country_of_origin"}


def money(amount):
    return Money(amount, settings.PLATFORM_CURRENCY) if amount is not None else None


def country_choices():
    """Country names in the merchant's language, sorted in it (evaluated per page, not at import)."""
    return list(countries)


def text_field_names(language):
    return f"title_{language}", f"description_{language}"


PICKER_TEMPLATE = "merchant/_category_picker.html"


class CategoryPickerInput(forms.TextInput):
    """The category's taxonomy ID, which static/js/category-picker.js turns into a search in the
    merchant's language over the shared taxonomy (typed as a number, it works without script)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "data-category-picker": "", "autocomplete": "off", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        # The input as Django draws it, inside the picker's template from the project's folders
        # (which the form renderer does not search).
        context = self.get_context(name, value, attrs)
        context["input"] = super().render(name, value, attrs, renderer)
        return mark_safe(render_to_string(PICKER_TEMPLATE, context))  # noqa: S308

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        try:
            category_id = int(value)
        except (TypeError, ValueError):
            category_id = None
        context["widget"]["path"] = selectors.category_path(category_id, get_language()) if category_id else ""
        context["widget"]["search_url"] = reverse("merchant:category-search")
        return context


class CategoryChoiceField(forms.ModelChoiceField):
    widget = CategoryPickerInput
    default_error_messages = {
        "invalid_choice": _("%(value)s is not a category of the shared taxonomy; search for one by name."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_choice"] = self.default_error_messages["invalid_choice"]


class ProductListFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or title"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Product.Status.choices]
    )


class ProductForm(forms.Form):
    """The product's own fields plus a title and description per platform language."""

    code = forms.CharField(label=_("Product code"), max_length=64)
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("path_en"),
        help_text=_(
            "Type a few letters of the category in your language and choose it; the same category ID means "
            "the same thing on every partner platform."
        ),
    )
    brand = forms.CharField(label=_("Brand"), max_length=80, required=False)
    hs_code = forms.CharField(label=_("HS code"), max_length=20, help_text=_("6 digits, e.g. 392410"))
    country_of_origin = forms.ChoiceField(
        label=_("Country of origin"), choices=country_choices, initial=settings.PLATFORM_COUNTRY
    )
    weight_grams = forms.IntegerField(label=_("Weight (g)"), **bounds.integer(Product, "weight_grams", min_value=1))
    length_mm = forms.IntegerField(
        label=_("Length (mm)"), required=False, **bounds.integer(Product, "length_mm", min_value=1)
    )
    width_mm = forms.IntegerField(
        label=_("Width (mm)"), required=False, **bounds.integer(Product, "width_mm", min_value=1)
    )
    height_mm = forms.IntegerField(
        label=_("Height (mm)"), required=False, **bounds.integer(Product, "height_mm", min_value=1)
    )
    original_language = forms.ChoiceField(label=_("Original language"), choices=settings.LANGUAGES)
    status = forms.ChoiceField(label=_("Status"), choices=Product.Status.choices, initial=Product.Status.ACTIVE)

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        if product is not None:
            # The code names the product in orders and partner feeds: it never changes.
            self.fields["code"].disabled = True
            self.fields["code"].initial = product.code
        for code, _name in settings.LANGUAGES:
            title, description = text_field_names(code)
            self.fields[title] = forms.CharField(label=_("Title"), max_length=200, required=False)
            self.fields[description] = forms.CharField(
                label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
            )

    @classmethod
    def initial_for(cls, product):
        initial = {
            "code": product.code,
            "category": product.category_id,
            "brand": product.brand,
            "hs_code": product.hs_code,
            "country_of_origin": product.country_of_origin.code,
            "weight_grams": product.weight_grams,
            "length_mm": product.length_mm,
            "width_mm": product.width_mm,
            "height_mm": product.height_mm,
            "original_language": product.original_language,
            "status": product.status,
        }
        for text in product.texts.all():
            title, description = text_field_names(text.language)
            initial[title] = text.title
            initial[description] = text.description
        return initial

    def language_fields(self):
        """(language name, title field, description field) per platform language, for the template."""
        rows = []
        for code, name in settings.LANGUAGES:
            title, description = text_field_names(code)
            rows.append({"code": code, "name": name, "title": self[title], "description": self[description]})
        return rows

    def texts(self):
        data = self.cleaned_data
        texts = {}
        for code, _name in settings.LANGUAGES:
            title, description = text_field_names(code)
            texts[code] = (data[title], data[description])
        return texts

    def add_service_error(self, error):
        """Show a service's refusal on the field it names, or above the form."""
        name = PRODUCT_FIELD_ALIASES.get(error.field, error.field)
        self.add_error(name if name in self.fields else None, str(error.detail))


# The attributes the form asks for, each in every platform language (other names a product's
# variants carry, from the import or a partner's feed, are kept as they are).
FORM_ATTRIBUTES = (("size", _("Size")), ("colour", _("Colour")))
SIZE_FIELDS = ("weight_grams", "length_mm", "width_mm", "height_mm")


def attribute_field_name(name, language):
    return f"{name}_{language}"


def attribute_columns():
    """(attribute name, its label, language code) per column of the variants table."""
    return [(name, label, code) for name, label in FORM_ATTRIBUTES for code, _name in settings.LANGUAGES]


class VariantForm(forms.Form):
    """One SKU row: its attributes in each platform language, price, stock and its own weight and
    size (empty: the product's). An untouched extra row (no SKU, no price) is left out."""

    sku = forms.CharField(label=_("SKU"), max_length=64, required=False)
    price = forms.DecimalField(label=_("Price"), required=False, **bounds.decimal(ProductVariant, "price"))
    stock = forms.IntegerField(label=_("Stock"), required=False, initial=0, **bounds.integer(ProductVariant, "stock"))
    weight_grams = forms.IntegerField(
        label=_("Weight (g)"), required=False, **bounds.integer(ProductVariant, "weight_grams", min_value=1)
    )
    length_mm = forms.IntegerField(
        label=_("Length (mm)"), required=False, **bounds.integer(ProductVariant, "length_mm", min_value=1)
    )
    width_mm = forms.IntegerField(
        label=_("Width (mm)"), required=False, **bounds.integer(ProductVariant, "width_mm", min_value=1)
    )
    height_mm = forms.IntegerField(
        label=_("Height (mm)"), required=False, **bounds.integer(ProductVariant, "height_mm", min_value=1)
    )
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, code in attribute_columns():
            self.fields[attribute_field_name(name, code)] = forms.CharField(
                label=f"{label} ({code})", max_length=services.MAX_ATTRIBUTE_CHARS, required=False
            )

    def attribute_cells(self):
        """The attribute fields in the order of attribute_columns(), for the template."""
        return [
            {"name": name, "language": code, "field": self[attribute_field_name(name, code)]}
            for name, _label, code in attribute_columns()
        ]

    def size_cells(self):
        return [self[name] for name in SIZE_FIELDS]

    def clean(self):
        data = super().clean()
        data["blank"] = not (data.get("sku") or "").strip() and data.get("price") is None
        if data["blank"]:
            return data
        if not (data.get("sku") or "").strip():
            self.add_error("sku", _("A SKU is required."))
        if data.get("price") is None and "price" not in self.errors:
            self.add_error("price", _("A price is required."))
        return data

    def variant_input(self, kept_attributes=None):
        """The row as a VariantInput; `kept_attributes` are the SKU's attributes the form does not
        ask for (they stay as they are)."""
        data = self.cleaned_data
        typed = services.attribute_texts(
            {
                code: {name: data.get(attribute_field_name(name, code)) for name, _label in FORM_ATTRIBUTES}
                for code, _name in settings.LANGUAGES
            }
        )
        kept = {name: value for name, value in (kept_attributes or {}).items() if name not in dict(FORM_ATTRIBUTES)}
        return services.VariantInput(
            sku=data["sku"].strip(),
            price=money(data["price"]),
            stock=data["stock"] if data.get("stock") is not None else 0,
            attributes={**kept, **typed},
            is_active=data["is_active"],
            **{name: data.get(name) for name in SIZE_FIELDS},
        )


class BaseVariantFormSet(forms.BaseFormSet):
    def filled_forms(self):
        return [form for form in self.forms if form.is_valid() and not form.cleaned_data.get("blank", True)]

    def variant_inputs(self, product=None):
        current = {variant.sku: variant.attributes for variant in product.variants.all()} if product else {}
        return [form.variant_input(current.get(form.cleaned_data["sku"].strip())) for form in self.filled_forms()]

    def add_service_error(self, error):
        """Put a service's refusal about a variant on the row it concerns; returns False if the
        error is not about a variant."""
        if error.field not in VARIANT_FIELDS:
            return False
        form = self._row_for(error)
        if form is None:
            self._non_form_errors = self.error_class([*self.non_form_errors(), str(error.detail)])
        else:
            form.add_error(error.field if error.field in form.fields else None, str(error.detail))
        return True

    def _row_for(self, error):
        forms_ = self.filled_forms()
        if error.field == "price":
            for form in forms_:
                try:
                    services.check_money(money(form.cleaned_data["price"]), field_name="price")
                except services.CatalogError:
                    return form
        if error.field == "stock":
            return next((form for form in forms_ if (form.cleaned_data.get("stock") or 0) < 0), None)
        if error.field == "sku":
            seen = set()
            for form in forms_:
                sku = form.cleaned_data["sku"].strip()
                if sku in seen or sku in str(error.detail):
                    return form
                seen.add(sku)
        return forms_[0] if forms_ else None


def variant_formset_class(extra):
    return forms.formset_factory(VariantForm, formset=BaseVariantFormSet, extra=extra, max_num=100, validate_max=True)


def variant_initial(product):
    rows = []
    for variant in product.variants.all():
        row = {
            "sku": variant.sku,
            "price": variant.price.amount,
            "stock": variant.stock,
            "is_active": variant.is_active,
            **{name: getattr(variant, name) for name in SIZE_FIELDS},
        }
        for name, _label, code in attribute_columns():
            value = variant.attributes.get(name)
            row[attribute_field_name(name, code)] = value.get(code, "") if isinstance(value, dict) else ""
        rows.append(row)
    return rows


def product_input(form, formset):
    data = form.cleaned_data
    return services.ProductInput(
        code=form.product.code if form.product is not None else data["code"],
        category_id=data["category"].pk,
        original_language=data["original_language"],
        country_of_origin=data["country_of_origin"],
        hs_code=data["hs_code"].strip(),
        weight_grams=data["weight_grams"],
        texts=form.texts(),
        variants=formset.variant_inputs(form.product),
        brand=data["brand"],
        length_mm=data["length_mm"],
        width_mm=data["width_mm"],
        height_mm=data["height_mm"],
        status=data["status"],
    )


class ShopNamesForm(forms.Form):
    """The shop's name in each platform language (at least one)."""

    def __init__(self, *args, merchant=None, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Shop name (%(language)s)") % {"language": name},
                max_length=services.MAX_SHOP_NAME_CHARS,
                required=False,
                initial=(merchant.names.get(code, "") if merchant is not None else ""),
            )

    def names(self):
        return {code: self.cleaned_data[f"name_{code}"] for code, _name in settings.LANGUAGES}

    def add_service_error(self, error):
        self.add_error(error.field if error.field in self.fields else None, str(error.detail))


class ImageUploadForm(forms.Form):
    image = forms.FileField(
        label=_("Image"), widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})
    )
    alt_text = forms.CharField(label=_("Alternative text"), max_length=200, required=False)


class ExportOfferForm(forms.Form):
    """One partnership's row of the offers table."""

    is_offered = forms.BooleanField(label=_("Offered"), required=False)
    export_price = forms.DecimalField(
        label=_("Export price"), required=False, **bounds.decimal(ExportOffer, "export_price")
    )
    direct_stock = forms.IntegerField(
        label=_("Stock for direct sale"), required=False, initial=0, **bounds.integer(ExportOffer, "direct_stock")
    )

    def __init__(self, *args, partnership, offer=None, **kwargs):
        self.partnership = partnership
        self.offer = offer
        if offer is not None:
            kwargs.setdefault(
                "initial",
                {
                    "is_offered": offer.is_offered,
                    "export_price": offer.export_price.amount if offer.export_price is not None else None,
                    "direct_stock": offer.direct_stock,
                },
            )
        super().__init__(*args, prefix=f"offer-{partnership.pk}", **kwargs)

    def needs_saving(self):
        """A row with no offer yet that stays unoffered, or an unchanged row, is not written (every
        write moves the offer in the partner's feed)."""
        if self.offer is None:
            return self.cleaned_data["is_offered"]
        return self.has_changed()

    def offer_arguments(self):
        data = self.cleaned_data
        stock = data["direct_stock"] if data["direct_stock"] is not None else 0
        return {
            "is_offered": data["is_offered"],
            "export_price": money(data["export_price"]),
            "direct_stock": stock,
        }

    def add_service_error(self, error):
        self.add_error(error.field if error.field in self.fields else None, str(error.detail))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CATALOG_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload


# --- the team, invitations and two-factor sign-in ----------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=MerchantRole.choices, initial=MerchantRole.CATALOG)


class JoinForm(forms.Form):
    """A new login's password, set through an invitation link."""

    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
