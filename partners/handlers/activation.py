"""At linking each platform sends the other its own figures (`partner.metrics`), in the
activation's transaction, so the partner scores us beside its candidates without anyone typing them."""

from crossborder import hooks

from ..services import prospects


def send_our_metrics(*, partnership):
    return prospects.send_own_metrics(partnership=partnership)


hooks.partnership_activated.subscribe(send_our_metrics)
