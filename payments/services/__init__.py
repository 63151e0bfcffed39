"""Payments' business operations, one module per area: ledger, settlement, payment (providers),
cart, checkout and orders."""
