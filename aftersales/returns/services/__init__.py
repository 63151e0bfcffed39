"""Writes of returns and exchanges, one module per concern: `policy` (which return policy applies to
an order line: the agreement's or the platform's, and the consumer-law minimum), `returns` (returns
and exchanges, from the shopper's request to the refund or the replacement), `disposition` (what
becomes of each graded returned unit, and its resale), `threads` (the message thread of a return or
a service ticket). Each public function is one transaction."""
