"""Local service providers and service tickets (docs/adr/0020): `services/` (writes: pricing and
dispatch, the ticket's life, its money, provider links, the SLA sweep), `selectors.py` (reads for
pages), `views.py` and `urls.py` (the provider's page and the shopper's ticket page, by token),
`forms.py`."""
