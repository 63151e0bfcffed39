"""Logistics plugged into the catalog: a merchant's stated units for sale are counted by the stock
service (catalog.hooks.stock_writer), so the warehouse's count is the only one (docs/adr/0016)."""

from catalog import hooks as catalog_hooks
from catalog.services import CatalogError

from ..services import LogisticsError, stock


def count_stated_stock(entries, *, actor="", reason=""):
    """The catalog's stock port: a refusal comes back as the catalog's own error, naming `stock`."""
    try:
        stock.set_available(entries, actor=actor, reason=reason)
    except LogisticsError as refused:
        raise CatalogError(refused.code, refused.detail, field="stock", status=refused.status) from None


catalog_hooks.stock_writer.subscribe(count_stated_stock)
