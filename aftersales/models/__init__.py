"""After-sales data: message threads, returns and exchanges (with their graded units), and, in
modules of their own, service providers and tickets, and shared reviews."""

from .returns import ReturnEvent, ReturnLine, ReturnRequest, ReturnUnit
from .service import ProviderSkill, ServiceArea, ServiceProvider, ServiceTicket, Skill, TicketEvent  # noqa: F401
from .threads import Message, Thread

__all__ = ["Message", "ReturnEvent", "ReturnLine", "ReturnRequest", "ReturnUnit", "Thread"]
