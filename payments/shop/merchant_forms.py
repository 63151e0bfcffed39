"""The merchant's orders list filters (GET): bad values are dropped with the field named, never an error page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import merchant_selectors as lines


class OrderLineFilterForm(forms.Form):
    number = forms.CharField(label=_("Order number"), required=False, max_length=40)
    where = forms.ChoiceField(
        label=_("Sold"),
        required=False,
        choices=[("", _("at home and abroad")), (lines.HOME, _("at home")), (lines.ABROAD, _("abroad"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *lines.STATUSES.choices]
    )
    partner = forms.ChoiceField(label=_("Partner"), required=False, choices=[("", _("Any partner"))])
    since = forms.DateField(label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Placed until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    with_returns = forms.BooleanField(label=_("With returns"), required=False)

    def __init__(self, data, *, partners):
        super().__init__(data)
        self.fields["partner"].choices = [("", _("Any partner")), *partners]

    def filters(self):
        """The filters of the fields that are valid (a wrong one is left out and shown as an error)."""
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return lines.LineFilters(**{name: value for name, value in values.items() if value not in (None, "")})
