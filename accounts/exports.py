"""Everything held about a shopper, as one JSON document (the "export my data" download): the account,
its e-mail addresses and phone, saved addresses, orders with their lines, delivery and payment state,
returns and service tickets, reviews, and the browsing and search history. Resident ID numbers are
shown masked, as everywhere (the full number is only ever decrypted for customs)."""

from django.utils import timezone

from crossborder.fields import masked
from partner_zone import selectors as zone_selectors

from . import selectors


def _money(value):
    return {"amount": str(value.amount), "currency": str(value.currency)} if value is not None else None


def _when(value):
    return value.isoformat() if value else None


def shopper_data(user):
    profile = selectors.profile_of(user)
    orders = selectors.account_orders(user)
    returns, tickets = selectors.aftersales_of(user)
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "joined": _when(user.date_joined),
            "last_sign_in": _when(user.last_login),
            "emails": [
                {"email": a.email, "verified": a.verified, "primary": a.primary} for a in selectors.emails_of(user)
            ],
            "phone": profile.phone if profile else None,
            "phone_verified": bool(profile and profile.phone_verified),
            "language": profile.language if profile else "",
        },
        "saved_addresses": [{"label": a.label, "address": a.fields} for a in selectors.addresses_of(user)],
        "orders": [
            {
                "number": order.number,
                "placed": _when(order.placed_at),
                "status": order.status,
                "paid": _when(order.paid_at),
                "total": _money(order.total),
                "email": order.email,
                "recipient": order.recipient,
                "buyer_name": order.buyer_name,
                "buyer_id_number": masked(order.buyer_id_number),
                "language": order.language,
                "lines": [
                    {
                        "sku": line.sku,
                        "title": line.title,
                        "quantity": line.quantity,
                        "unit_price": _money(line.unit_price),
                    }
                    for line in order.lines.all()
                ],
            }
            for order in orders
        ],
        "returns": [
            {
                "order": found.order.number,
                "kind": found.kind,
                "status": found.status,
                "reason": found.reason,
                "details": found.reason_text,
                "opened": _when(found.created_at),
            }
            for found in returns
        ],
        "service_tickets": [
            {
                "order": ticket.order.number if ticket.order_id else None,
                "service": ticket.title,
                "status": ticket.status,
                "requested": _when(ticket.requested_at),
                "name": ticket.name,
                "email": ticket.email,
                "phone": ticket.phone,
                "address": ticket.address,
                "problem": ticket.problem,
            }
            for ticket in tickets
        ],
        "reviews": [
            {"rating": review.rating, "title": review.title, "text": review.text, "language": review.language}
            for review in selectors.reviews_of(user)
        ],
        "browsing_history": zone_selectors.history_export(user),
    }
