"""After-sales data: message threads, returns and exchanges (with their graded units), and, in
modules of their own, service providers and tickets, and shared reviews."""

from .resale import ReceivedDisposition
from .returns import ReturnEvent, ReturnLine, ReturnRequest, ReturnUnit
from .threads import Message, Thread

__all__ = ["Message", "ReceivedDisposition", "ReturnEvent", "ReturnLine", "ReturnRequest", "ReturnUnit", "Thread"]
