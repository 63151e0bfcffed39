"""Propose a partnership to another platform instance over its partner API."""

import time

from django.core.management.base import BaseCommand, CommandError

from crossborder import services
from crossborder.errors import DomainError
from crossborder.models import Partner


class Command(BaseCommand):
    help = "Send a signed partnership proposal to the platform at --base-url, quoting its invitation."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", required=True)
        parser.add_argument("--invitation", required=True)
        parser.add_argument("--settlement-currency", default=None)
        parser.add_argument("--commission-rate", default="0.08")
        parser.add_argument("--cutoff", default="23:00", help="daily settlement cut-off, HH:MM")
        parser.add_argument("--fee", action="append", default=[], metavar="NAME=AMOUNT")
        parser.add_argument("--wait", type=float, default=0, help="seconds to keep retrying while unreachable")
        parser.add_argument("--if-not-partnered", action="store_true", help="do nothing if already partnered")

    def handle(self, *args, **opts):
        if opts["if_not_partnered"] and any(p.live_partnership() for p in Partner.objects.all()):
            self.stdout.write("already partnered; nothing to do")
            return
        fees = {}
        for item in opts["fee"]:
            name, sep, amount = item.partition("=")
            if not sep:
                raise CommandError(f"--fee takes NAME=AMOUNT, not {item!r}")
            fees[name] = amount
        terms = {
            "commission_rate": opts["commission_rate"],
            "settlement_cutoff": opts["cutoff"],
            "fee_schedule": fees,
        }
        if opts["settlement_currency"]:
            terms["settlement_currency"] = opts["settlement_currency"]
        deadline = time.monotonic() + opts["wait"]
        while True:
            try:
                partnership = services.propose_partnership(
                    base_url=opts["base_url"], invitation_token=opts["invitation"], terms=terms
                )
                break
            except DomainError as exc:
                if exc.code == "partner_unreachable" and time.monotonic() < deadline:
                    time.sleep(0.5)
                    continue
                raise CommandError(f"{exc.code}: {exc.detail}") from exc
        self.stdout.write(
            f"partnership with {partnership.partner.code}: {partnership.status} ({partnership.reference})"
        )
