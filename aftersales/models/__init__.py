"""After-sales data: message threads, returns and exchanges (with their graded units), the
partner's dispositions of our returned goods, shared reviews and demand reports."""

from ..demand.models import DemandReport
from .resale import ReceivedDisposition
from .returns import PartnerReturnNotice, ReturnEvent, ReturnLine, ReturnRequest, ReturnUnit
from .reviews import ProductReview, ReviewStatus, ReviewTally
from .service import (  # noqa: F401
    ProviderPayout,
    ProviderSkill,
    ServiceArea,
    ServiceProvider,
    ServiceTicket,
    Skill,
    TicketEvent,
)
from .threads import Message, Thread

__all__ = [
    "DemandReport",
    "Message",
    "PartnerReturnNotice",
    "ProductReview",
    "ReceivedDisposition",
    "ReturnEvent",
    "ReturnLine",
    "ReturnRequest",
    "ReturnUnit",
    "ReviewStatus",
    "ReviewTally",
    "Thread",
]
