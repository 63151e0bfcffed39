"""After-sales data: message threads, returns and exchanges (with their graded units), and, in
modules of their own, service providers and tickets, shared reviews, and the demand reports
exchanged with partners (aftersales/demand/models.py)."""

from ..demand.models import DemandReport
from .returns import ReturnEvent, ReturnLine, ReturnRequest, ReturnUnit
from .reviews import ProductReview, ReviewStatus, ReviewTally  # noqa: F401
from .threads import Message, Thread

__all__ = ["DemandReport", "Message", "ReturnEvent", "ReturnLine", "ReturnRequest", "ReturnUnit", "Thread"]
