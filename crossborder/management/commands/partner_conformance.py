"""Check a partner's endpoint against the partner protocol (docs/partner-protocol.md): prints a
pass/fail table and exits non-zero when a check fails.

    manage.py partner_conformance --partner us
        our live partnership with `us`: its base URL, our current signing key, its published keys;
        the message checks send one real partner.notice through our outbox.
    manage.py partner_conformance --base-url URL --key-id ID --private-key FILE.pem \\
            --partner-key ID=BASE64 [--partnership UUID]
        any endpoint that knows our key; without a way to send a real message the message checks
        are skipped."""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crossborder import conformance, outbox, services, signing
from crossborder.client import current_signing_key, partner_public_keys
from crossborder.models import OutboxMessage, Partner

DELIVERY_WAIT = 30  # seconds for our outbox to deliver the check's notice


def _relay_until_answered(partnership, message):
    deadline = time.monotonic() + DELIVERY_WAIT
    while message.status == OutboxMessage.Status.PENDING and time.monotonic() < deadline:
        if outbox.relay_partnership(partnership.pk).skipped:
            time.sleep(0.5)
        message.refresh_from_db()
    if message.status == OutboxMessage.Status.PENDING:
        raise RuntimeError(f"message #{message.seq} still pending: {message.last_error}")
    return message


def deliver_through_outbox(partnership):
    """Leave one seq unused, queue one notice and relay it (or wait for the relay already at work):
    (envelope, key, status)."""

    def deliver():
        services.leave_outbox_gap(partnership)
        notice = services.send_notice(
            partnership=partnership,
            subject="Partner protocol conformance check",
            body="Sent by manage.py partner_conformance; it is sent once more to check at-most-once.",
        )
        message = OutboxMessage.objects.get(partnership=partnership, seq=notice.sent_seq)
        message = _relay_until_answered(partnership, message)
        return outbox.envelope(message), str(message.idempotency_key), message.response_status

    return deliver


def publish_keys_through_outbox(partnership):
    """Send our published keys plus `extra` entries as a partner.keys_updated: its reply status."""

    def publish(extra):
        message = services.announce_keys_to(partnership, extra=extra)
        return _relay_until_answered(partnership, message).response_status

    return publish


class Command(BaseCommand):
    help = "Check a partner endpoint against the partner protocol; exits 1 if any check fails."

    def add_arguments(self, parser):
        parser.add_argument("--partner", help="code of a partner we have a live partnership with")
        parser.add_argument("--base-url", help="the partner platform's base URL (its API is under /partner-api/v1/)")
        parser.add_argument("--key-id", help="our key id the partner knows")
        parser.add_argument("--private-key", help="file with that key's Ed25519 private key (PEM)")
        parser.add_argument(
            "--partner-key", action="append", default=[], help="KEY_ID=BASE64 public key of the partner (repeatable)"
        )
        parser.add_argument("--partnership", help="the partnership's shared reference (UUID)")
        parser.add_argument("--timeout", type=float, default=10.0)
        parser.add_argument(
            "--max-body-bytes",
            type=int,
            default=settings.PARTNER_API["MAX_BODY_BYTES"],
            help="the partner's body limit (the spec's, 4 MiB); one byte more must be refused too_large",
        )
        parser.add_argument(
            "--throttle-burst",
            type=int,
            default=0,
            help="send up to this many requests to provoke 429 throttled (last; 0: skip the check)",
        )

    def handle(self, *args, **options):
        target = self.target(options)
        results = conformance.run(target)
        width = max(len(r.name) for r in results)
        for result in results:
            mark = {True: "PASS", False: "FAIL", None: "----"}[result.passed]
            line = f"{mark}  {result.name.ljust(width)}"
            if result.detail and result.passed is not True:
                line += f"  {result.detail}"
            self.stdout.write(line.rstrip())
        failed = sum(1 for r in results if r.passed is False)
        passed = sum(1 for r in results if r.passed is True)
        self.stdout.write(f"passed={passed} failed={failed}")
        if failed:
            sys.exit(1)

    def target(self, options):
        if options["partner"]:
            partner = Partner.objects.filter(code=options["partner"]).first()
            partnership = partner.live_partnership() if partner else None
            if partnership is None:
                raise CommandError(f"no live partnership with {options['partner']!r}")
            key = current_signing_key()
            base_url = options["base_url"] or partner.base_url
            return conformance.Target(
                base_url=base_url,
                key_id=key.key_id,
                private_key=signing.load_private(key.private_key_pem),
                partner_keys=partner_public_keys(partner),
                partnership=str(partnership.reference),
                deliver=deliver_through_outbox(partnership),
                publish_keys=publish_keys_through_outbox(partnership),
                timeout=options["timeout"],
                max_body_bytes=options["max_body_bytes"],
                throttle_burst=options["throttle_burst"],
            )
        missing = [name for name in ("base_url", "key_id", "private_key") if not options[name]]
        if missing or not options["partner_key"]:
            raise CommandError(
                "give --partner CODE, or --base-url, --key-id, --private-key and at least one --partner-key"
            )
        try:
            with open(options["private_key"], "rb") as pem:
                private = signing.load_private(pem.read())
            partner_keys = {}
            for item in options["partner_key"]:
                key_id, _, b64 = item.partition("=")
                partner_keys[key_id] = signing.load_public(b64)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        return conformance.Target(
            base_url=options["base_url"],
            key_id=options["key_id"],
            private_key=private,
            partner_keys=partner_keys,
            partnership=options["partnership"],
            timeout=options["timeout"],
            max_body_bytes=options["max_body_bytes"],
            throttle_burst=options["throttle_burst"],
        )
