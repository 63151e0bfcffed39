"""Demo logistics: the warehouse and express rates; with --send-to or --receive-from, the demo's
first leg between two running instances. Safe to run again."""

from django.core.management.base import BaseCommand

from logistics import demo


class Command(BaseCommand):
    help = (
        "Create the demo warehouse of this platform and the express rates of the first-leg cost comparison; "
        "--send-to CODE ships a demo consignment to that partner, --receive-from CODE counts in the partner's "
        "notified consignments, sells a few units and runs the nightly handoff."
    )

    def add_arguments(self, parser):
        parser.add_argument("--send-to", default=None, help="partner code: plan and notify a demo consignment")
        parser.add_argument("--receive-from", default=None, help="partner code: receive, sell some, hand off")

    def handle(self, *args, send_to=None, receive_from=None, **options):
        warehouse, rates = demo.ensure_demo_logistics()
        self.stdout.write(f"demo logistics: warehouse {warehouse.code} ({warehouse.name}), {rates} express rates added")
        if send_to:
            reference = demo.send_demo_consignment(send_to)
            self.stdout.write(f"consignment to {send_to}: {reference or 'already sent'}")
        if receive_from:
            received, sold = demo.receive_and_sell_demo_consignments(receive_from)
            self.stdout.write(f"from {receive_from}: {received} consignment(s) received, {sold} units sold")
