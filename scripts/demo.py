"""The main job: two partnered instances (cn and us) on the embedded default, with demo data.

./run demo [--fresh]: migrates, fills demo data, starts web, Celery worker and beat for each
instance, partners them, prints where to look, and stops everything cleanly on Ctrl-C."""

import argparse
import secrets
import signal
import sys
import time

from scripts.instances import CN, ROOT, US, Instance, link


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fresh", action="store_true", help="start from empty databases")
    parser.add_argument("--no-wait", action="store_true", help="exit after start-up (for smoke tests)")
    args = parser.parse_args(argv)

    instances = [Instance(spec, ROOT / "var" / spec.code) for spec in (CN, US)]
    stopping = False

    def stop(*_):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\nstopping both instances...", flush=True)
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
        cn, us = instances
        if _partnered(cn):
            print("already partnered", flush=True)
        else:
            print(link(cn, us, token=secrets.token_urlsafe(24)), flush=True)
            cn.manage("send_notice", "--partner", "us", "--subject", "欢迎! Spring Festival 2027 campaign plans soon")
            us.manage(
                "send_notice",
                "--partner",
                "cn",
                "--subject",
                "Hello from Trailhead Goods: Black Friday stock is on its way",
            )
        _print_where(instances)
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


def _partnered(instance):
    out = instance.manage(
        "shell",
        "-c",
        "from crossborder.models import Partnership as P; print(P.objects.exclude(status='ended').count())",
    ).stdout
    return out.strip().splitlines()[-1] != "0"


def _print_where(instances):
    print("\nTwo partnered platforms are running:\n", flush=True)
    for instance in instances:
        url = instance.base_url
        print(f"  {instance.spec.code}  {instance.spec.name} ({instance.spec.country}, {instance.spec.currency})")
        print(f"      storefront   {url}/")
        print(f"      admin        {url}/admin/   (login admin / admin)")
        print(f"      partners     {url}/admin/partner-status/")
        print(f"      API docs     {url}/api/docs/")
        print(f"      logs         {instance.data_dir.relative_to(ROOT)}/*.log\n")
    print("Press Ctrl-C to stop both.", flush=True)


if __name__ == "__main__":
    main()
