"""Pages rendered once for every shopper (the cached catalog and partner-zone pages) still carry
the visitor's own header part (account, cart count): the cached page keeps a mark where it goes,
and each request fills it in. Nothing a shopper or partner writes can produce the mark: every text
on a page is escaped.

A visitor who is not signed in and has nothing in their session (no cart, no sign-in under way:
any first visit, most browsing) gets the same header part as every such visitor of the same
language, so it is rendered once per process and language: a cached page's request then renders
no template at all."""

from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language

SHOPPER_HEADER_MARK = "<!-- shopper's header -->"
# What a cached page's context adds so that base.html leaves the mark instead of the header part.
SHARED_PAGE = {"shopper_header_mark": SHOPPER_HEADER_MARK}
HEADER_TEMPLATE = "storefront/_header_shopper.html"

_anonymous_headers = {}


def _forget_headers(**_signal):
    _anonymous_headers.clear()


setting_changed.connect(_forget_headers)


def _is_anonymous_and_empty(request):
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    return session is not None and session.is_empty() and user is not None and not user.is_authenticated


def shopper_header(request):
    """This visitor's header part (account, cart count)."""
    if not _is_anonymous_and_empty(request):
        return render_to_string(HEADER_TEMPLATE, request=request)
    key = (get_language(), get_script_prefix())
    part = _anonymous_headers.get(key)
    if part is None:
        part = _anonymous_headers[key] = render_to_string(HEADER_TEMPLATE, request=request)
    return part


def with_shopper_header(request, html):
    """A cached page's HTML with this visitor's header part in place of the mark."""
    return html.replace(SHOPPER_HEADER_MARK, shopper_header(request), 1)
