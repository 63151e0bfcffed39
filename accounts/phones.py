"""Phone numbers as shoppers type them ("138 0013 8000", "+1 (415) 555-0100"), validated with
`phonenumbers` and kept in E.164 (+8613800138000). A number without its country code is read as
one of this platform's country."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 32


def normalise(text):
    """The number in E.164, or ValidationError saying what is wrong with it."""
    text = str(text or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="invalid_phone")
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            _("A phone number is at most %(n)d characters.") % {"n": MAX_LENGTH}, code="invalid_phone"
        )
    try:
        number = phonenumbers.parse(text, settings.PLATFORM_COUNTRY)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(text)s” is not a phone number.") % {"text": text}, code="invalid_phone")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(text)s is not a valid phone number; a number outside %(country)s needs its country code (+…).")
            % {"text": text, "country": settings.PLATFORM_COUNTRY},
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parts(e164):
    """(country calling code, national number digits) of an E.164 number."""
    number = phonenumbers.parse(e164, None)
    return str(number.country_code), str(number.national_number)


def display(e164):
    """The number as people of its country write it, international form for other countries'."""
    number = phonenumbers.parse(e164, None)
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.PLATFORM_COUNTRY
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
