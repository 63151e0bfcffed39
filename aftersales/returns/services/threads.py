"""Message threads between a shopper (or a service provider) and the platform: one per return or
service ticket. Writing checks the text; who may write is the caller's (the token page, the admin)."""

import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossborder.errors import DomainError

from ...errors import ReturnErrorCode as Code
from ...models import Message

MAX_BODY = 4000


def clean_text(value, *, field, limit):
    """Text a person typed, stripped; refused naming `field` when too long or with control
    characters (other than line breaks and tabs)."""
    text = str(value or "").strip()
    if any(unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\r\t" for char in text):
        raise DomainError(Code.INVALID_TEXT, _("This text holds a control character; remove it."), field=field)
    if len(text) > limit:
        raise DomainError(Code.INVALID_TEXT, _("At most %(limit)d characters, please.") % {"limit": limit}, field=field)
    return text


def post_message(*, thread, author, body, staff=None, attachments=(), now=None):
    """Add a message to `thread`; an empty or over-long body, or one with control characters, is
    refused naming `body`."""
    body = clean_text(body, field="body", limit=MAX_BODY)
    if not body and not attachments:
        raise DomainError(Code.INVALID_TEXT, _("Write a message first."), field="body")
    if author not in Message.Author.values:
        raise DomainError(Code.INVALID_TEXT, _("Unknown author."), field="author")
    with transaction.atomic():
        return Message.objects.create(
            thread=thread,
            author=author,
            staff=staff if getattr(staff, "is_authenticated", False) else None,
            body=body,
            attachments=list(attachments),
            created_at=now or timezone.now(),
        )


def mark_read_by_staff(*, thread, now=None):
    return Message.objects.filter(thread=thread, author=Message.Author.SHOPPER, read_by_staff_at__isnull=True).update(
        read_by_staff_at=now or timezone.now()
    )
