"""Run the merchant payouts now (what the beat does once a day) and print the run."""

from django.core.management.base import BaseCommand

from crossborder import money
from crossborder.management.options import moment
from payments.merchants import services


class Command(BaseCommand):
    help = (
        "Pay every merchant what it is owed, less what is held for sales open to returns, when it "
        "reaches the minimum: one pain.001 file per run (--key names the run; default: today's date)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--key", help="the run's name; the same name again returns that run and pays nothing")
        parser.add_argument("--now", help="the time to act at (ISO 8601; default: now)")
        parser.add_argument("--pain001", help="write the run's pain.001 file here")
        parser.add_argument("--csv", help="write the run's CSV here")

    def handle(self, *args, key=None, now=None, pain001=None, csv=None, **options):
        run = services.run_payouts(key=key, now=moment(now, "--now"))
        for path, text in ((pain001, run.pain001), (csv, run.payouts_csv)):
            if path:
                with open(path, "w", encoding="utf-8") as out:
                    out.write(text)
        self.stdout.write(f"run {run.key} {run.message_id}")
        for payout in run.payouts.select_related("merchant"):
            self.stdout.write(
                f"paid {payout.merchant.slug} {money.quantize(payout.amount, payout.currency)} {payout.currency}"
            )
        for entry in run.held:
            self.stdout.write(f"not paid {entry['merchant']} {entry['owed']} {entry['currency']}: {entry['reason']}")
