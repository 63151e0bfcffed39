"""After-sales data: message threads, returns and exchanges (with their graded units), and, in
modules of their own, service providers and tickets, and shared reviews."""

from .returns import PartnerReturnNotice, ReturnEvent, ReturnLine, ReturnRequest, ReturnUnit
from .threads import Message, Thread

__all__ = ["Message", "PartnerReturnNotice", "ReturnEvent", "ReturnLine", "ReturnRequest", "ReturnUnit", "Thread"]
