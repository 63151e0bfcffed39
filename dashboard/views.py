"""The ops dashboard page and each chart's CSV download, for staff with `dashboard.view_dashboard`
(the admin's sign-in in front: admin_view in urls.py)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crossborder.spreadsheets import csv_text

from . import selectors

PERMISSION = "dashboard.view_dashboard"


class FilterForm(forms.Form):
    partner = forms.ChoiceField(label=_("Partner"), required=False)
    days = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, empty_value=selectors.DEFAULT_PERIOD)

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("All partners"))] + [
            (code, f"{name} ({code})") for code, name in partners
        ]
        self.fields["days"].choices = [
            (days, ngettext("the last %(n)d day", "the last %(n)d days", days) % {"n": days})
            for days in selectors.PERIODS
        ]

    def filters(self):
        return selectors.Filters(
            partner=self.cleaned_data.get("partner") or "",
            days=self.cleaned_data.get("days") or selectors.DEFAULT_PERIOD,
            now=timezone.now(),
        )


def _check(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _form(request):
    return FilterForm(request.GET or None, partners=selectors.partner_choices())


def dashboard(request):
    _check(request)
    form = _form(request)
    valid = form.is_valid() if request.GET else True
    filters = form.filters() if request.GET and valid else selectors.Filters()
    charts = selectors.all_charts(filters) if valid else []
    query = urlencode({"partner": filters.partner, "days": filters.days})
    context = {
        **admin.site.each_context(request),
        "title": _("Ops dashboard"),
        "form": form,
        "filters": filters,
        "charts": [
            {
                "chart": chart,
                "data": chart.payload(),
                "data_id": f"chart-data-{chart.key}",
                "csv_url": reverse("dashboard:csv", args=[chart.key]) + "?" + query,
            }
            for chart in charts
        ],
        "partner_status_url": reverse("partner-status"),
    }
    return TemplateResponse(request, "admin/dashboard/index.html", context, status=200 if valid else 400)


def chart_csv(request, key):
    _check(request)
    if key not in selectors.CHARTS:
        raise Http404
    form = _form(request)
    if request.GET and not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    filters = form.filters() if request.GET else selectors.Filters()
    chart = selectors.chart(key, filters)
    body = csv_text([str(column) for column in chart.columns], chart.rows)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"{key}-{filters.partner or 'all'}-{filters.days}d-{timezone.localdate(filters.now).isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
