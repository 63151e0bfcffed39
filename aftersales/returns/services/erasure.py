"""A shopper deleted their account (accounts/): their returns and service tickets stay for the
accounts and the partner's settlement, without the person: the contact and address typed on a
service ticket, the return's free-text details and photos, and what the shopper wrote on threads
are erased. One transaction."""

from django.db import transaction

from ...models import Message, ReturnRequest, ServiceTicket

ERASED_EMAIL = "erased@erased.invalid"
ERASED_TEXT = "[erased]"


@transaction.atomic
def erase_shopper_aftersales(order_ids):
    """Erase the person from the returns and service tickets of these orders. Returns the counts."""
    order_ids = list(order_ids)
    returns = ReturnRequest.objects.filter(order_id__in=order_ids)
    tickets = ServiceTicket.objects.filter(order_id__in=order_ids)
    thread_ids = [*returns.values_list("thread_id", flat=True), *tickets.values_list("thread_id", flat=True)]
    messages = Message.objects.filter(thread_id__in=thread_ids, author=Message.Author.SHOPPER).update(
        body=ERASED_TEXT, attachments=[]
    )
    returned = returns.update(user=None, reason_text="", photos=[])
    ticketed = tickets.update(
        name=ERASED_TEXT, email=ERASED_EMAIL, phone="", address={}, city="", postcode="", problem=""
    )
    return {"returns": returned, "tickets": ticketed, "messages": messages}
