"""Partner-zone business operations, one module per area (like logistics): `sync` (mirroring the
partner's catalog feed), `pricing` (FX, duties and taxes, rounding: the landed price), `campaigns`
(festival campaigns agreed through the partner API) and `recommendations` (shoppers' history and
the two recommenders). Each public function is one transaction unless it calls a partner."""

from crossborder.errors import DomainError


class PartnerZoneError(DomainError):
    pass
