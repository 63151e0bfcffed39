"""Pages rendered once for every shopper (the cached catalog and partner-zone pages) still carry
the visitor's own header part (account, cart count): the cached page keeps a mark where it goes,
and each request fills it in. Nothing a shopper or partner writes can produce the mark: every text
on a page is escaped."""

from django.template.loader import render_to_string

SHOPPER_HEADER_MARK = "<!-- shopper's header -->"
# What a cached page's context adds so that base.html leaves the mark instead of the header part.
SHARED_PAGE = {"shopper_header_mark": SHOPPER_HEADER_MARK}


def with_shopper_header(request, html):
    """A cached page's HTML with this visitor's header part in place of the mark."""
    part = render_to_string("storefront/_header_shopper.html", request=request)
    return html.replace(SHOPPER_HEADER_MARK, part, 1)
