"""Local carriers for the last leg, behind one small interface: `book` a parcel (its tracking number)
and `poll` its tracking events. Which carriers exist comes from settings.LOGISTICS["CARRIERS"]
(built-in codes such as "sandbox", or dotted paths to Carrier classes). Services call carriers
outside any database transaction (DESIGN.md section 2): a carrier is a network call."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .errors import LogisticsErrorCode
from .models import Shipment
from .services import LogisticsError


@dataclass(frozen=True)
class CarrierEvent:
    """One tracking event as a carrier reports it. `event_id` is stable: polling twice gives the
    same ids, so recording them again is harmless."""

    event_id: str
    status: str  # one of Shipment.Status
    description: str
    location: str
    occurred_at: dt.datetime


class Carrier:
    """What a carrier integration provides. `book` must be idempotent per shipment (it is retried
    with the same shipment when our process dies between booking and recording): real integrations
    pass `shipment.reference` as the carrier's idempotency key."""

    code = ""
    name = ""

    def book(self, shipment) -> str:
        """Book the parcel of `shipment` (packed, with its recipient); returns the tracking number."""
        raise NotImplementedError

    def poll(self, shipment, *, now=None) -> list[CarrierEvent]:
        """Every tracking event of `shipment` so far, oldest first."""
        raise NotImplementedError


class SandboxCarrier(Carrier):
    """A carrier without a network: deterministic tracking numbers and a believable progression of
    events derived from the time since the parcel was shipped. The thresholds are class attributes
    so that tests and demos can shrink them."""

    code = "sandbox"
    name = "Sandbox Express"
    ACCEPTED_AFTER = dt.timedelta(minutes=0)
    IN_TRANSIT_AFTER = dt.timedelta(hours=6)
    OUT_FOR_DELIVERY_AFTER = dt.timedelta(hours=30)
    DELIVERED_AFTER = dt.timedelta(days=2)
    DEPOT = "Sandbox central depot"

    def book(self, shipment):
        return "SBX" + shipment.reference.hex[:12].upper()

    def _steps(self, shipment):
        city = (shipment.recipient or {}).get("city", "")
        return [
            ("accepted", self.ACCEPTED_AFTER, Shipment.Status.SHIPPED, _("Accepted at the depot"), self.DEPOT),
            ("in-transit", self.IN_TRANSIT_AFTER, Shipment.Status.IN_TRANSIT, _("In transit"), self.DEPOT),
            (
                "out-for-delivery",
                self.OUT_FOR_DELIVERY_AFTER,
                Shipment.Status.IN_TRANSIT,
                _("Out for delivery"),
                city,
            ),
            ("delivered", self.DELIVERED_AFTER, Shipment.Status.DELIVERED, _("Delivered"), city),
        ]

    def poll(self, shipment, *, now=None):
        if shipment.shipped_at is None:
            return []
        now = now or timezone.now()
        tracking = shipment.tracking_number or self.book(shipment)
        return [
            CarrierEvent(
                event_id=f"{tracking}-{step}",
                status=status,
                description=str(description),
                location=location,
                occurred_at=shipment.shipped_at + after,
            )
            for step, after, status, description, location in self._steps(shipment)
            if shipment.shipped_at + after <= now
        ]


BUILT_IN = {"sandbox": "logistics.carriers.SandboxCarrier"}


def configured_carriers():
    """{code: Carrier} for the carriers this platform is configured with, in settings order."""
    found = {}
    for entry in settings.LOGISTICS.get("CARRIERS", []):
        path = BUILT_IN.get(entry, entry)
        try:
            carrier_class = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"LOGISTICS['CARRIERS']: cannot load carrier {entry!r}: {exc}") from exc
        carrier = carrier_class()
        found[carrier.code] = carrier
    return found


def carrier_name(code):
    """A carrier's name as people read it, for its code (a carrier no longer configured: the code)."""
    carrier = configured_carriers().get(code)
    return str(carrier.name) if carrier is not None else code


def default_carrier_code():
    codes = list(configured_carriers())
    return codes[0] if codes else "sandbox"


def get_carrier(code) -> Carrier:
    carriers = configured_carriers()
    carrier = carriers.get(code)
    if carrier is None:
        raise LogisticsError(
            LogisticsErrorCode.UNKNOWN_CARRIER,
            _("No carrier %(code)s; this platform ships with: %(known)s.")
            % {"code": code, "known": ", ".join(carriers) or "-"},
            field="carrier",
        )
    return carrier
