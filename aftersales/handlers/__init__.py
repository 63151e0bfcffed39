"""After-sales' start-up registrations (imported by AppConfig.ready): partner message types and
subscriptions to earlier apps' hooks, one module per area."""

from . import demand, merchant_holds, pages, resale, returns, reviews, service  # noqa: F401
