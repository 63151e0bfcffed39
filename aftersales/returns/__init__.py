"""Returns and exchanges, the domain of after-sales that handles a shopper's goods coming back:
`services/` holds the return policy, the steps of a return (request to refund or replacement),
the disposition of each graded unit (restock, resale, repair through a service ticket, send back
in a reverse consignment, dispose), the exporter's record of partners' returns, and the message
thread. Its reads and pages are aftersales' `selectors.py` and `views.py`."""
