"""After-sales' start-up registrations: the partner message `return.notice`, and the return action
on the shop's order page."""

from . import pages, returns  # noqa: F401
