"""The shop's forms. `AddressForm` is a delivery address as the country's carriers need it (its
parts, labels, provinces or states and postal-code rule from crossborder.addresses): the checkout
form's address, and what a shopper's saved address is. Its cleaned data is a flat dict of text
(name, phone, country, country_area, city, city_area, address, postcode), normalised by the same
rule the checkout service applies; `recipient()` is it as orders store it."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crossborder import addresses

# The form's fields, by the recipient part each one is (AddressError.field names the part).
FIELD_OF_PART = {
    "name": "name",
    "phone": "phone",
    "country": "country",
    "country_area": "country_area",
    "city": "city",
    "city_area": "city_area",
    "address_lines": "address",
    "postcode": "postcode",
}


class AddressForm(forms.Form):
    """A delivery address in `country` (the platform's by default)."""

    name = forms.CharField(label=_("Recipient's name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=40)
    country = forms.CharField(widget=forms.HiddenInput, max_length=2, required=False)
    country_area = forms.ChoiceField(label=_("Province"))
    city = forms.CharField(label=_("City"), max_length=120)
    city_area = forms.CharField(label=_("District"), max_length=120, required=False)
    address = forms.CharField(label=_("Street address"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    postcode = forms.CharField(label=_("Postal code"), max_length=20)

    def __init__(self, *args, country=None, **kwargs):
        self.country = (country or settings.PLATFORM_COUNTRY).upper()
        kwargs.setdefault("initial", {}).setdefault("country", self.country)
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(*args, **kwargs)
        self.rules = addresses.address_form(self.country)
        fields = self.fields
        fields["country_area"].label = self.rules.area_label
        fields["country_area"].choices = [("", "—"), *self.rules.area_choices]
        fields["country_area"].required = "country_area" in self.rules.required
        fields["city"].label = self.rules.city_label
        fields["postcode"].label = self.rules.postcode_label
        fields["postcode"].required = "postal_code" in self.rules.required
        if self.rules.postcode_example:
            fields["postcode"].help_text = _("For example %(example)s") % {"example": self.rules.postcode_example}
        phone_example = addresses.phone_example(self.country)
        if phone_example:
            fields["phone"].help_text = _("For example %(example)s") % {"example": phone_example}
        if self.rules.district_label:
            fields["city_area"].label = self.rules.district_label
        else:
            del fields["city_area"]
        autocomplete = {
            "name": "name",
            "phone": "tel",
            "country_area": "address-level1",
            "city": "address-level2",
            "city_area": "address-level3",
            "address": "street-address",
            "postcode": "postal-code",
        }
        for name, value in autocomplete.items():
            if name in fields:
                fields[name].widget.attrs["autocomplete"] = value
        fields["phone"].widget.input_type = "tel"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            recipient = addresses.clean_recipient(
                {
                    "name": data.get("name", ""),
                    "phone": data.get("phone", ""),
                    "country": data.get("country") or self.country,
                    "country_area": data.get("country_area", ""),
                    "city": data.get("city", ""),
                    "city_area": data.get("city_area", ""),
                    "address_lines": str(data.get("address", "")).splitlines(),
                    "postcode": data.get("postcode", ""),
                },
                country=self.country,
            )
        except addresses.AddressError as error:
            part = (error.field or "").removeprefix("recipient.")
            field = FIELD_OF_PART.get(part)
            self.add_error(field if field in self.fields else None, str(error.detail))
            return data
        return {
            "name": recipient["name"],
            "phone": recipient["phone"],
            "country": recipient["country"],
            "country_area": recipient["country_area"],
            "city": recipient["city"],
            "city_area": recipient["city_area"],
            "address": "\n".join(recipient["address_lines"]),
            "postcode": recipient["postcode"],
        }

    def recipient(self):
        """The cleaned address as orders store it (crossborder.addresses' recipient)."""
        data = self.cleaned_data
        return {
            **{part: data.get(part, "") for part in ("name", "phone", "country", "country_area", "city", "city_area")},
            "address_lines": data["address"].splitlines(),
            "postcode": data["postcode"],
        }
