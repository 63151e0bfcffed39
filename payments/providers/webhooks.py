"""Payment providers' webhooks: a provider POSTs signed events here (outside the language prefixes,
without a session, so without CSRF). The service verifies and applies them; this view only maps
the outcome to JSON: 200 with the result (the first result for a repeated event), or the error
`{"code", "detail", "field"}` with 400/401 for what is unsigned, stale, forged or unreadable.
A provider that expects a fixed answer to its webhooks names it in `webhook_acknowledgement`
(Alipay wants the text "success"); a refusal is then still the JSON error, which it resends."""

import logging

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from crossborder.errors import DomainError

from ..errors import PaymentErrorCode
from . import get_provider
from .services import payment as payments

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def receive_webhook(request, provider):
    try:
        result = payments.handle_webhook(provider=provider, headers=request.headers, body=request.body)
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    except (RecursionError, ValueError) as exc:
        # A provider's parser that let a nested or malformed body through (its SDK's JSON reader):
        # unreadable input is a 400, and handle_webhook wrote nothing before reading the event.
        logger.warning("unreadable %s webhook: %s: %s", provider, type(exc).__name__, str(exc)[:200])
        error = DomainError(PaymentErrorCode.INVALID_PAYLOAD, _("The webhook body cannot be read."), field="body")
        return JsonResponse(error.as_dict(), status=error.status)
    acknowledgement = getattr(get_provider(provider), "webhook_acknowledgement", None)
    if acknowledgement is not None:
        return HttpResponse(acknowledgement, content_type="text/plain; charset=utf-8", status=200)
    return JsonResponse(result, status=200)
