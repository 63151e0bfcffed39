"""Template filters of postal addresses: `{{ recipient|postal_lines }}` is the address as the
country's post writes it, line by line (crossborder.addresses.address_lines); `{{ phone|shown_phone:country }}`
a stored E.164 phone number as a shopper reads it."""

from django import template

from crossborder import addresses

register = template.Library()


@register.filter
def postal_lines(recipient):
    return addresses.address_lines(recipient if isinstance(recipient, dict) else {})


@register.filter
def shown_phone(phone, country=""):
    return addresses.shown_phone(phone, str(country or "").upper() or "US")
