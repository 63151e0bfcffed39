"""The catalog's partner API: the catalog feed a partner platform mirrors our offers from."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from crossborder.authentication import live_partnership_or_refuse
from crossborder.partner_api import PartnerAPIView
from crossborder.serializers import ErrorSerializer

from . import feed, services
from .serializers import CatalogFeedPageSerializer

FEED_DESCRIPTION = f"""The export offers of this platform to the calling partner, in ascending order of (changed_at, id).

**Without `updated_since`**: the whole current catalog, i.e. every product offered to you and on sale.
**With `updated_since`**: every offer changed at or after that time: live ones as full items
(`"deleted": false`), the rest
(offer withdrawn, product archived or back in draft) as tombstones `{{"id", "deleted": true, "version",
"changed_at"}}`.

**Paging**: pass `next_cursor` as `cursor`, with the same `updated_since`, until `has_more` is false. A
cursor is signed and bound to your partnership and to that `updated_since`; any other use is refused
with `invalid_cursor`.

**Changes while you page**: any change to an offer or its product gives the offer a new `changed_at` and
a higher `version`, so it comes again later in the same fetch or the next one; nothing is skipped, but
an entry may arrive more than once. Keep the highest `version` per `id`.

**Watermark**: keep the last page's `watermark` and pass it as `updated_since` next time. It stays
`CATALOG_FEED_SETTLE_SECONDS` (default 60) behind the start of the fetch (the first page's request), so
writes that commit after stamping an earlier `changed_at` are still covered, and on a page with more to
come it is also at most that page's last `changed_at`, so stopping early and resuming from it skips
nothing. `updated_since` is inclusive.

Timestamps are ISO 8601 in UTC (`Z`); `updated_since` must carry an offset (write `+` as `%2B`).
`limit` is 1 to {feed.MAX_LIMIT}. Amounts are decimal strings in the exporting platform's currency.
"""


class CatalogFeedView(PartnerAPIView):
    """The catalog feed for the calling partner."""

    @extend_schema(
        operation_id="partner_catalog_feed",
        summary="Catalog feed of the products offered to you",
        description=FEED_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="ISO 8601 with offset, e.g. 2025-01-31T08:00:00Z: changes since then, tombstones "
                "included. Omit for the full current catalog.",
            ),
            OpenApiParameter("cursor", str, description="`next_cursor` of the previous page of the same fetch."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": feed.MAX_LIMIT},
                description="Entries per page (default: the platform's CATALOG_FEED_PAGE_SIZE).",
            ),
        ],
        responses={200: CatalogFeedPageSerializer, 400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        partnership = live_partnership_or_refuse(request.user)
        query = feed.parse_feed_query(partnership, request.query_params)
        if query.updated_since is not None and query.after is None:  # a fetch's first page
            services.confirm_feed_mirrored(partnership=partnership, mirrored_before=query.updated_since)
        return PrerenderedJSON(feed.feed_page_json(partnership, query))


class PrerenderedJSON(Response):
    """A reply whose JSON text is already made (feed.feed_page_json): sent as it is, signed as
    every partner API reply."""

    def __init__(self, body):
        super().__init__()
        self.json_body = body

    @property
    def rendered_content(self):
        self["Content-Type"] = "application/json"
        return self.json_body
