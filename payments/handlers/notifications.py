"""The shopper's e-mails about an order: the shop subscribes to the payment service's and to
logistics' hooks, so that neither imports the shop (payments/shop/services/notices.py)."""

from logistics import hooks as logistics_hooks

from .. import hooks
from ..shop.services import notices, paying

hooks.payment_declined.subscribe(notices.payment_declined)
hooks.payment_declined.subscribe(paying.record_payment_declined)
hooks.payment_refunded.subscribe(notices.payment_refunded)
logistics_hooks.shipment_progressed.subscribe(notices.shipment_progressed)
