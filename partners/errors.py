"""Error codes of partner scores and compliance, as the JSON `code` field carries them."""

from enum import StrEnum

from crossborder.errors import DomainError


class PartnersErrorCode(StrEnum):
    INVALID_WEIGHTS = "invalid_weights"
    INVALID_THRESHOLD = "invalid_threshold"
    INVALID_FIGURES = "invalid_figures"
    GROWTH_WITHOUT_HISTORY = "growth_without_history"
    INVALID_OVERRIDE = "invalid_override"
    INVALID_STATE = "invalid_state"
    REASON_REQUIRED = "reason_required"


class PartnersError(DomainError):
    """A score, policy or compliance input refused; `field` names what is wrong."""
