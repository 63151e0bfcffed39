"""The shop places an order once its payment holds the money: subscribed to
payments.hooks.money_secured at start-up, so that the payment service never imports the shop."""

from .. import hooks
from ..shop.services import paying

hooks.money_secured.subscribe(paying.place_paid_order)
