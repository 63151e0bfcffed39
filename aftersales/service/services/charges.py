"""A done ticket's money, posted once (the ledger's references are unique), by who pays:

- the shopper, who paid with the order: the prepayment becomes service revenue, and we owe the
  provider its price (expense, provider payable);
- the shopper, by a payment of its own (a repair or maintenance asked for after delivery, paid
  before dispatch): the same, its captured payment becomes service revenue;
- the shopper, paid neither way (tickets from before such payments): nothing passes through our books;
- the platform: expense, provider payable;
- the partner: expense, provider payable, and the same cost charged to the partner
  (payments.ledger charge_partner, kind service_fee), which reaches its settlement statement."""

from payments.ledger.services import charges, ledger

from ...models import ServiceTicket

Payer = ServiceTicket.Payer


def payable_tag(provider):
    """The tag of a provider's postings in the ledger (Posting.counterparty)."""
    return f"provider:{provider.reference}"


def post_ticket_cost(ticket):
    """Post the completed ticket's cost; a repeat posts nothing new. Returns the transactions."""
    reference = ticket.ledger_reference
    if ticket.payer == Payer.SHOPPER and not ticket.prepaid:
        return []
    shopper_paid = ticket.price if ticket.payer == Payer.SHOPPER else None
    posted = [
        ledger.record_service_done(
            reference=reference, cost=ticket.cost, shopper_paid=shopper_paid, counterparty=payable_tag(ticket.provider)
        )
    ]
    if ticket.payer == Payer.PARTNER and ticket.partnership_id:
        posted.append(
            charges.charge_partner(
                partnership=ticket.partnership, reference=f"{reference}:partner", kind="service_fee", amount=ticket.cost
            )
        )
    return posted
