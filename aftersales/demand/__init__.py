"""Demand back to the partner (issue 15): each night every live partner gets, aggregated and with no
one in it, what our shoppers searched for in its zone without good results, which of its goods they
viewed without buying, and why they returned them (`services`, message `demand.report`); the
report a partner sends us is stored and shown to our merchants beside their own products
(`selectors`, through the catalog's merchant-page hooks). `models` holds both directions."""
