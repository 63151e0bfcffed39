"""The main job: two partnered instances (cn and us) on the embedded default, with demo data; with
`--partners 3` a third (jp), every one partnered with both others.

./run demo [--fresh] [--partners 3]: migrates, fills demo data, starts web, Celery worker and beat
for each instance, partners them, prints where to look, and stops everything cleanly on Ctrl-C."""

import argparse
import secrets
import signal
import sys
import time
from itertools import combinations

from scripts.instances import CN, JP, ROOT, US, Instance, link, settlement_currency

NOTICES = {
    "cn": "欢迎! Spring Festival 2027 campaign plans soon",
    "us": "Hello from Trailhead Goods: Black Friday stock is on its way",
    "jp": "こんにちは! Golden Week picks from Sakura Market are on the way",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fresh", action="store_true", help="start from empty databases")
    parser.add_argument("--no-wait", action="store_true", help="exit after start-up (for smoke tests)")
    parser.add_argument(
        "--partners",
        type=int,
        choices=(2, 3),
        default=2,
        help="how many platforms: 2 (cn and us) or 3 (and jp, each partnered with both others)",
    )
    args = parser.parse_args(argv)

    specs = (CN, US, JP)[: args.partners]
    instances = [Instance(spec, ROOT / "var" / spec.code) for spec in specs]
    stopping = False

    def stop(*_):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\nstopping the instances...", flush=True)
        for instance in instances:
            instance.stop()
        print("stopped.", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for instance in instances:
            if args.fresh:
                instance.reset()
            print(f"preparing {instance.spec.code} ({instance.spec.name})...", flush=True)
            instance.prepare()
            instance.manage("demo_data")
        for instance in instances:
            instance.start()
        for instance in instances:
            instance.wait_ready()
        # Every pair partnered, the earlier of the two proposing: cn-us, then cn-jp and us-jp.
        pairs = list(combinations(instances, 2))
        for proposer, inviter in pairs:
            if _partnered(proposer, inviter.spec.code):
                print(f"{proposer.spec.code}-{inviter.spec.code}: already partnered", flush=True)
                continue
            currency = settlement_currency(proposer, inviter)
            print(link(proposer, inviter, token=secrets.token_urlsafe(24), settlement_currency=currency), flush=True)
            for sender, receiver in ((proposer, inviter), (inviter, proposer)):
                sender.manage("send_notice", "--partner", receiver.spec.code, "--subject", NOTICES[sender.spec.code])
        logins = {}
        for instance in instances:
            # Offers need a live partnership, so they come after linking (a second run adds none).
            out = instance.manage("demo_catalog", "--offers", "--logins").stdout
            logins[instance.spec.code] = [
                line.removeprefix("merchant login: ") for line in out.splitlines() if line.startswith("merchant login:")
            ]
            offers = next((ln for ln in out.splitlines() if ln.startswith("export")), "")
            print(f"{instance.spec.code}: {offers}", flush=True)
        for instance in instances:
            # A delivered order with a review, returns and a repair ticket (a second run adds none).
            out = instance.manage("demo_aftersales").stdout.strip().splitlines()
            print(f"{instance.spec.code}: {out[-1] if out else ''}", flush=True)
        # Zones first: an importer checks a consignment's notice against the catalog it mirrored.
        for first, second in pairs:
            _demo_partner_zones(first, second)
        for first, second in pairs:
            _demo_first_leg(first, second)
        for instance in instances:
            # Shoppers buy partners' goods in the zones (forwarded at once), then the partners are
            # scored, so the ops dashboard shows sales both ways and scores from the start.
            out = instance.manage("demo_aftersales", "--zone-orders").stdout.strip().splitlines()
            print(f"{instance.spec.code}: {out[-1] if out else ''}", flush=True)
        for instance in instances:
            instance.manage("score_partners")
        _print_where(instances, logins)
        if args.no_wait:
            stop()
        while True:
            for instance in instances:
                for name, process in list(instance.processes.items()):
                    if process.poll() is not None:
                        print(f"{instance.spec.code} {name} exited; see {instance.log_path(name)}", flush=True)
                        instance.processes.pop(name)
            time.sleep(1)
    except Exception:
        for instance in instances:
            instance.stop()
        raise


def _demo_first_leg(cn, us):
    """Each platform ships a demo consignment into the other's warehouse; once the notice has
    arrived (the relay runs in the workers), the importer counts it in, sells a few units and runs
    the nightly handoff. A second run of the demo sends nothing new."""
    for exporter, importer in ((us, cn), (cn, us)):
        code = importer.spec.code
        out = exporter.manage("demo_logistics", "--send-to", code).stdout.strip().splitlines()[-1]
        print(f"{exporter.spec.code}: {out}", flush=True)
        if "already sent" in out or out.endswith("None"):
            continue
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _notified(importer, exporter.spec.code):
            time.sleep(1)
        out = importer.manage("demo_logistics", "--receive-from", exporter.spec.code).stdout
        print(f"{code}: {out.strip().splitlines()[-1]}", flush=True)


def _demo_partner_zones(cn, us):
    """Each platform mirrors and prices the other's catalog in its partner zone, proposes its
    festival campaign to the other, and accepts the one it received."""
    pairs = ((cn, us), (us, cn))
    for home, partner in pairs:
        out = home.manage("demo_partner_zone", "--mirror", partner.spec.code).stdout
        print(f"{home.spec.code}: {out.strip().splitlines()[-1]}", flush=True)
    for home, partner in pairs:
        out = home.manage("demo_partner_zone", "--propose", partner.spec.code).stdout
        print(f"{home.spec.code}: {out.strip().splitlines()[-1]}", flush=True)
    for home, partner in pairs:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _count(
            home,
            "from partner_zone.models import Campaign as C; "
            f"print(int(C.objects.filter(partnership__partner__code='{partner.spec.code}', listings__isnull=False).exists()))",
        ):
            time.sleep(1)
        out = home.manage("demo_partner_zone", "--accept", partner.spec.code).stdout
        print(f"{home.spec.code}: {out.strip().splitlines()[-1]}", flush=True)


def _count(instance, code):
    return instance.manage("shell", "-c", code).stdout.strip().splitlines()[-1] != "0"


def _notified(instance, partner_code):
    out = instance.manage(
        "shell",
        "-c",
        "from logistics.models import Consignment as C; "
        f"print(C.objects.filter(direction='inbound', status='notified', partnership__partner__code='{partner_code}')"
        ".count())",
    ).stdout
    return out.strip().splitlines()[-1] != "0"


def _partnered(instance, partner_code):
    out = instance.manage(
        "shell",
        "-c",
        "from crossborder.models import Partnership as P; "
        f"print(P.objects.exclude(status='ended').filter(partner__code='{partner_code}').count())",
    ).stdout
    return out.strip().splitlines()[-1] != "0"


def _print_where(instances, logins):
    count = {2: "Two", 3: "Three"}.get(len(instances), str(len(instances)))
    print(f"\n{count} partnered platforms are running:\n", flush=True)
    for instance in instances:
        url = instance.base_url
        print(f"  {instance.spec.code}  {instance.spec.name} ({instance.spec.country}, {instance.spec.currency})")
        print(f"      storefront   {url}/")
        print(f"      admin        {url}/admin/   (login admin / admin)")
        print(f"      partners     {url}/admin/partner-status/")
        print(f"      dashboard    {url}/admin/dashboard/")
        print(f"      API docs     {url}/api/docs/")
        print(f"      merchants    {url}/merchant/   (demo shops below)")
        for login in logins.get(instance.spec.code, []):
            print(f"                     {login}")
        print(f"      catalog feed {url}/partner-api/v1/catalog/   (signed partner API)")
        print(f"      consignments {url}/logistics/consignments/   (staff: admin / admin)")
        print(f"      logs         {instance.data_dir.relative_to(ROOT)}/*.log\n")
    print("Press Ctrl-C to stop them all.", flush=True)


if __name__ == "__main__":
    main()
