"""The shop places an order once its payment holds the money: registered with the payment service
at start-up, so that the payment service never imports the shop."""

from ..services import paying
from ..services import payment as payments

payments.on_money_secured(paying.place_paid_order)
