"""Logistics business operations, one module per area (a departure from a single services.py, as
the area is large): `stock` (counts, movements, reservations, lots), `first_leg` (consignments,
notices, receipts), `last_leg` (deliveries, carriers, tracking, direct shipments) and `handoff`
(nightly reports, goods abroad, replenishment, ageing, storage fees). Each public function is one
transaction; views, the partner API, admin actions and tasks call them."""

from django.utils.translation import gettext as _

from crossborder.errors import DomainError

from ..errors import LogisticsErrorCode


class LogisticsError(DomainError):
    pass


def partnership_not_live(partnership, why):
    """The refusal (409) of what only a live or active partnership takes; `why` says what."""
    return LogisticsError(
        LogisticsErrorCode.PARTNERSHIP_NOT_LIVE,
        _("The partnership with %(partner)s is %(status)s; %(why)s")
        % {"partner": partnership.partner.code, "status": partnership.get_status_display(), "why": why},
        field="partnership",
        status=409,
    )
