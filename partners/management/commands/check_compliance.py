"""Check every partnership's observable agreement terms now (what the beat does)."""

from django.core.management.base import BaseCommand

from crossborder.management.options import moment
from partners.services import compliance


class Command(BaseCommand):
    help = (
        "Record and send the breaches of each partner's agreement terms, warn and suspend automatically at "
        "the policy's thresholds; print per partner: new breaches, warned, suspended."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", action="append", help="only this partner's code (repeatable)")
        parser.add_argument("--now", help="the time to check at (ISO 8601; default: now)")

    def handle(self, *args, partner=None, now=None, **options):
        results = compliance.check_compliance(now=moment(now, "--now"), partners=partner)
        for code, result in results.items():
            self.stdout.write(
                f"{code} breaches={len(result['breaches'])} warned={str(result['warned']).lower()} "
                f"suspended={str(result['suspended']).lower()}"
            )
