"""The shopper's own history: "clear my history" (POST with the CSRF token), then back where they were."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partner_zone.services import recommendations


@require_POST
def clear_history(request):
    recommendations.clear_history(request)
    messages.success(request, _("Your browsing and search history is cleared."))
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
