"""Fill this instance with its demo catalog (and offers to live partners). Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from catalog import demo


class Command(BaseCommand):
    help = (
        "Create the demo shops, products and pictures of this platform (cn: mother-and-baby and beauty, "
        "us: outdoor and kitchen), then offer a share of them to every active partner. Existing demo "
        "products and offers are kept, so a second run creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--offers", action="store_true", help="only create the export offers to active partners")
        parser.add_argument("--logins", action="store_true", help="also print the shops' merchant-area logins")
        parser.add_argument(
            "--share", type=float, default=demo.OFFER_SHARE, help="share of products offered to each partner"
        )

    def handle(self, *args, offers=False, logins=False, share=demo.OFFER_SHARE, **options):
        if not 0 <= share <= 1:
            raise CommandError("--share is a fraction between 0 and 1")
        if not offers:
            try:
                result = demo.fill_catalog()
            except demo.DemoDataError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"demo catalog ({result.platform}): {result.shops} shops, {result.products_created} products "
                f"created ({result.images_created} pictures), {result.products_existing} already there"
            )
        created = demo.create_export_offers(share=share)
        if created:
            summary = ", ".join(f"{count} new to {partner}" for partner, count in created.items())
            self.stdout.write(f"export offers: {summary}")
        else:
            self.stdout.write("export offers: no active partner yet")
        if logins:
            for username, password, name in demo.shop_logins():
                self.stdout.write(f"merchant login: {username} / {password}  ({name})")
