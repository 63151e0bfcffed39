"""One error shape for every API: {"code", "detail", "field"} with the right HTTP status."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class APIError(exceptions.APIException):
    def __init__(self, code, detail, *, status_code=400, field=None):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.error_code = str(code)
        self.field = field


def first_field_error(detail, prefix=""):
    if isinstance(detail, dict):
        for name, value in detail.items():
            field = f"{prefix}{name}" if name != "non_field_errors" else prefix.rstrip(".") or None
            found = first_field_error(value, f"{field}." if field else "")
            return found if found[0] else (field, found[1])
    if isinstance(detail, list) and detail:
        return first_field_error(detail[0], prefix)
    return (prefix.rstrip(".") or None), str(detail)


def exception_handler(exc, context):
    if isinstance(exc, RecursionError):
        # Input nested beyond what Python can walk (the strict JSON parser refuses it first; this
        # is the net under every other reader): a refusal, never a server error.
        return Response(
            {"code": "too_deep", "detail": _("The input is nested too deeply."), "field": None},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        # Django would answer this itself, unsigned: here the partner API signs it like any refusal.
        return Response(
            {"code": "too_large", "detail": _("The request body is too large."), "field": None},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response({"code": "bad_request", "detail": str(exc), "field": None}, status=400)
    if isinstance(exc, DomainError):
        response = Response(exc.as_dict(), status=exc.status)
        if getattr(exc, "retry_after", None):  # busy: the client may try again after this many seconds
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, APIError):
        return Response({"code": exc.error_code, "detail": str(exc.detail), "field": exc.field}, status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        field, message = first_field_error(exc.detail)
        return Response(
            {"code": "invalid", "detail": message, "field": field, "errors": exc.detail},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        code = getattr(getattr(exc, "detail", None), "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": str(code), "detail": str(detail), "field": None}
    return response
