"""Why a payment provider declined a payment, in plain words a shopper reads. Providers say it in
their own codes (Stripe's `last_payment_error` code, the sandbox's `decline_code`, Alipay's
`sub_code`), kept with the payment's transition to declined (PaymentTransition.provider_data);
`decline_code` finds it there and `decline_reason` words it."""

from django.utils.translation import gettext_lazy as _

REASONS = {
    "insufficient_funds": _("there is not enough money on the card or account"),
    "card_declined": _("your bank declined the card"),
    "do_not_honor": _("your bank declined the card"),
    "generic_decline": _("your bank declined the card"),
    "lost_card": _("your bank declined the card"),
    "stolen_card": _("your bank declined the card"),
    "expired_card": _("the card has expired"),
    "incorrect_cvc": _("the card's security code was not right"),
    "incorrect_number": _("the card number was not right"),
    "card_velocity_exceeded": _("the card's spending limit was reached"),
    "authentication_required": _("the payment was not confirmed in your bank's security check"),
    "authentication_failed": _("the payment was not confirmed in your bank's security check"),
    "payment_intent_authentication_failure": _("the payment was not confirmed in your bank's security check"),
    "payer_declined": _("the payment was declined in the wallet app"),
    "BUYER_BALANCE_NOT_ENOUGH": _("there is not enough money on the card or account"),
    "processing_error": _("the payment provider had a problem: please try again"),
}
UNKNOWN = _("the payment provider did not say why")

# Where each provider's data carries its code.
CODE_KEYS = ("decline_code", "last_payment_error", "sub_code", "failure_code")


def decline_code(provider_data):
    """The provider's code for a decline in its data (one level deep), or ""."""
    if not isinstance(provider_data, dict):
        return ""
    for data in (provider_data, *(v for v in provider_data.values() if isinstance(v, dict))):
        for key in CODE_KEYS:
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("decline_code") or value.get("code")
            if isinstance(value, str) and value.strip():
                return value.strip()[:60]
    return ""


def decline_reason(code):
    """The reason for `code` in plain words (translated), or that the provider did not say."""
    return REASONS.get(str(code or ""), UNKNOWN)
