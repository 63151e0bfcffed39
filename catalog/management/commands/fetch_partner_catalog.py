"""Fetch a partner platform's catalog feed over the signed partner API and summarise it."""

import json
from contextlib import ExitStack
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import feed
from catalog.services import CatalogError
from crossborder.client import PartnerResponseUnverified, PartnerUnreachable
from crossborder.models import Partner


class Command(BaseCommand):
    help = (
        "Page through the catalog feed of the partner --partner (the full catalog, or the changes "
        "since --since), print how many items, tombstones and pages arrived and the watermark to "
        "pass as --since next time, and optionally write every entry to --jsonl as one JSON line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="the partner platform's code")
        parser.add_argument("--since", default=None, help="ISO 8601 with offset: changes since then")
        parser.add_argument("--limit", type=int, default=None, help=f"entries per page, 1 to {feed.MAX_LIMIT}")
        parser.add_argument("--jsonl", default=None, help="write each entry to this file, one JSON object a line")

    def handle(self, *args, **opts):
        partner = Partner.objects.filter(code=opts["partner"]).first()
        if partner is None:
            raise CommandError(f"no partner with the code {opts['partner']!r}")
        partnership = partner.live_partnership()
        if partnership is None:
            raise CommandError(f"there is no live partnership with {partner.code}")
        try:
            since = feed.parse_updated_since(opts["since"])
            if opts["limit"] is not None:
                feed.parse_limit(opts["limit"])
        except CatalogError as exc:
            raise CommandError(f"--{'since' if exc.field == 'updated_since' else exc.field}: {exc.detail}") from None

        items = tombstones = pages = 0
        watermark = None
        with ExitStack() as stack:
            out = stack.enter_context(Path(opts["jsonl"]).open("w", encoding="utf-8")) if opts["jsonl"] else None
            try:
                for page in feed.iter_partner_feed(partnership, updated_since=since, limit=opts["limit"]):
                    pages += 1
                    tombstones += page.tombstones
                    items += len(page.items) - page.tombstones
                    watermark = page.watermark
                    if out is not None:
                        for entry in page.items:
                            out.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
            except (feed.PartnerFeedError, PartnerUnreachable, PartnerResponseUnverified) as exc:
                raise CommandError(f"{partner.code}: {exc} (after {pages} page(s))") from exc
        self.stdout.write(f"items={items} tombstones={tombstones} pages={pages} watermark={watermark}")
