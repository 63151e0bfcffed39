"""Payments, laid out by domain (docs/adr/0017): `shop/` (cart, checkout, orders, customs, China's
rules, the shop API, orders partners forward to us), `providers/` (local payment providers and the
payment service), `ledger/` (the double-entry ledger, partner charges, settlement, payout files).
The root holds what Django and Celery look for: models.py, errors.py, urls.py, admin/, tasks/,
handlers/."""
