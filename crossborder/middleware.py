"""Refuses text input no person types (text_input.FORBIDDEN) before any view reads it: in the path
(404, as for any other unknown address), the query string and form fields (400 naming the field:
JSON {code, detail, field} on the shop API and webhooks, a page in the shopper's language
elsewhere). JSON bodies are checked by the strict JSON parser; the partner API checks its own
requests so that every refusal it gives is signed."""

from django.conf import settings
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from . import text_input
from .views import JSON_PREFIXES, not_found

SIGNED_PREFIXES = ("/partner-api/",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _dirty_form_field(request):
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return None
    field = text_input.first_dirty_field(request.POST.items())
    if field is None:
        field = text_input.first_dirty_field((name, upload.name) for name, upload in request.FILES.items())
    return field


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(SIGNED_PREFIXES):
            return self.get_response(request)
        as_json = path.startswith(JSON_PREFIXES)
        if not text_input.is_clean(path):
            return not_found(request)
        field = text_input.first_dirty_field(request.GET.items())
        if field is None and not as_json:
            try:
                field = _dirty_form_field(request)
            except MultiPartParserError:
                return self._refuse(request, as_json, "form", _("The form data could not be read."), "bad_request")
        if field is not None:
            return self._refuse(request, as_json, field, str(text_input.MESSAGE), text_input.CODE)
        return self.get_response(request)

    def _refuse(self, request, as_json, field, detail, code):
        if as_json:
            return JsonResponse({"code": code, "detail": detail, "field": field}, status=400)
        return render(request, "bad_input.html", {"field": field, "detail": detail}, status=400)


class AdminLanguageMiddleware:
    """The admin sits outside the language prefixes, so LocaleMiddleware gives it the platform's
    language. Staff choose theirs on the admin's pages (the language form posts to Django's
    set_language view, which keeps the choice in the language cookie); under /admin/ that choice
    is honoured. Anything else in the cookie is ignored."""

    PREFIX = "/admin/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(self.PREFIX):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            if chosen in dict(settings.LANGUAGES) and translation.check_for_language(chosen):
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)
