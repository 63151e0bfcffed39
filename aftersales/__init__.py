"""Returns, inspection and disposition, resale, refunds, service tickets, shared reviews."""
