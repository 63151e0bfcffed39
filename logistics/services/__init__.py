"""Logistics business operations, one module per area (a departure from a single services.py, as
the area is large): `stock` (counts, movements, reservations, lots), `first_leg` (consignments,
notices, receipts), `last_leg` (deliveries, carriers, tracking, direct shipments) and `handoff`
(nightly reports, goods abroad, replenishment, ageing, storage fees). Each public function is one
transaction; views, the partner API, admin actions and tasks call them."""

from crossborder.errors import DomainError


class LogisticsError(DomainError):
    pass
