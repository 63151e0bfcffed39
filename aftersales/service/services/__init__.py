"""Writes of the service tickets domain, one module per concern: `offers` (who serves an address,
at what price; checkout's installation extras), `tickets` (request, dispatch, the provider's and
the shopper's steps), `charges` (the ledger once a ticket is done), `links` (the provider's signed
page link), `sla` (the breach sweep)."""
