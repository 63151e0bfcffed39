"""Warehouses, stock, consignment stock, first-leg shipments, last-leg deliveries, handoff."""
