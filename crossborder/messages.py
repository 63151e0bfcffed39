"""The registry of partner message types: what each one carries and which service receives it.

Apps register their message types here (from their AppConfig.ready or partner_api module), so the
platform core dispatches to later apps without importing them (DESIGN.md section 2).

A type is named for the business, not for the app that handles it: `<subject>.<document or event>`
(`shipment.notice`, `settlement.statement`). The former names of renamed types are accepted from
partners for one release (FORMER_NAMES; docs/adr/0014); we only ever send the current names."""

from collections.abc import Callable
from dataclasses import dataclass

from rest_framework import serializers


@dataclass(frozen=True)
class MessageType:
    name: str
    payload_serializer: type[serializers.Serializer]
    handler: Callable[..., dict]  # handler(*, partnership, payload, seq) -> response body
    description: str = ""
    # The protocol version that introduced the type (docs/partner-protocol.md section 7): it is sent
    # only to a partner on that version or later. To an older partner it goes in its older form,
    # `older_form(payload) -> (type, payload)` of a type that version knows, or is not sent at all.
    since: tuple = (1, 0)
    older_form: Callable[[dict], tuple] | None = None


_registry: dict[str, MessageType] = {}

# Former name -> current name. Received messages under a former name are applied as the current
# type until the next release removes this table (a partner still on the previous release sends
# them); sending one is refused. The README's Partner API section lists them.
FORMER_NAMES = {
    "logistics.asn": "shipment.notice",
    "logistics.receipt": "shipment.receipt",
    "logistics.tracking": "delivery.tracking",
    "logistics.sales_report": "sales.report",
    "logistics.stock_report": "stock.report",
    "logistics.aged_stock_proposal": "aged_stock.proposal",
    "logistics.aged_stock_decision": "aged_stock.decision",
    "logistics.aged_stock_carried_out": "aged_stock.carried_out",
    "partner_zone.campaign_proposal": "campaign.proposal",
    "partner_zone.campaign_decision": "campaign.decision",
    "ledger.charge": "charge.notice",
}


def register(name, *, payload_serializer, description="", since=(1, 0), older_form=None):
    """Decorator: `handler` receives validated payloads of message type `name`, a type of protocol
    version `since` (older partners get `older_form(payload)` instead, or nothing)."""

    def wrap(handler):
        if name in _registry:
            raise RuntimeError(f"message type {name!r} is registered twice")
        if name in FORMER_NAMES:
            raise RuntimeError(f"message type {name!r} was renamed {FORMER_NAMES[name]!r}")
        _registry[name] = MessageType(name, payload_serializer, handler, description, since, older_form)
        return handler

    return wrap


def get(name) -> MessageType | None:
    """The type registered under its current `name` (what we send)."""
    return _registry.get(name)


def received(name) -> MessageType | None:
    """The type of a message a partner sent under `name`, current or former."""
    return _registry.get(FORMER_NAMES.get(name, name))


def names():
    return sorted(_registry)


def form_for(name, payload, version):
    """What to send a partner on protocol `version` ((major, minor)) for a message of type `name`:
    (type, payload) as queued, its older form when the partner's version predates the type, or
    None when that version has no form of it (the message is withheld)."""
    message_type = _registry[name]
    if version >= message_type.since:
        return name, payload
    if message_type.older_form is None:
        return None
    older_name, older_payload = message_type.older_form(payload)
    return form_for(older_name, older_payload, version)


def forms(name, payload):
    """The message as queued and then each older form of it, newest first: [(type, payload), ...]."""
    found = [(name, payload)]
    message_type = _registry.get(name)
    while message_type is not None and message_type.older_form is not None:
        name, payload = message_type.older_form(payload)
        found.append((name, payload))
        message_type = _registry.get(name)
    return found
