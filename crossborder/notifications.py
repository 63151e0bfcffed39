"""Telling people what happened: e-mail per event, in the recipient's language, never twice.

A service calls `notify(...)` inside its own transaction. That writes a `Notification` row keyed by
the event (a repeat of the same key is a no-op) and, once the transaction commits, asks Celery to
send it. A row that could not be sent (mail server down, worker killed) stays due and the
`crossborder.send_due_notifications` beat task sends it later, with backoff: like the partner
outbox, a committed notification is not lost.

A template is three files under `templates/notifications/`: `<name>.subject.txt`, `<name>.txt` and,
optionally, `<name>.html`; they are rendered in the notification's language with its context
(JSON values only: strings, numbers, lists, dicts)."""

import datetime as dt
import email
import email.policy
import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def supported_language(code=None):
    """`code` (default: the active language) as one of the platform's languages: itself, else one
    of the same family ("zh" -> "zh-hans"), else the platform's first."""
    code = (code or translation.get_language() or "").lower()
    known = [language for language, _name in settings.LANGUAGES]
    if code in known:
        return code
    for language in known:
        if language.split("-")[0] == code.split("-")[0]:
            return language
    return settings.LANGUAGE_CODE


def notify(*, key, to, template, context=None, language=None):
    """Write the notification of event `key` to `to` (an e-mail address); sent after commit.
    Returns the row, or None when there is no address to write to."""
    if not to:
        return None
    note = Notification(
        key=key[:200],
        to=to,
        template=template,
        context=context or {},
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    if connection.vendor == "postgresql":
        created = _insert_unless_notified(note)
    else:
        note, created = Notification.objects.get_or_create(
            key=note.key, defaults={f: getattr(note, f) for f in ("to", "template", "context", "language")}
        )
    if created:
        transaction.on_commit(lambda: _enqueue(note.pk))
        return note
    return Notification.objects.get(key=note.key)


def _insert_unless_notified(note):
    """One statement where get_or_create takes four (SELECT, SAVEPOINT, INSERT, RELEASE): insert
    the row unless its key is already there. Sets `note.pk` and returns True when inserted."""
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    table, pk = quote(Notification._meta.db_table), quote(Notification._meta.pk.column)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # The names come from the model's own metadata; the values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT (key) DO NOTHING RETURNING {pk}"  # noqa: S608
    values = [field.get_db_prep_save(field.pre_save(note, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    note.pk = row[0]
    note._state.adding = False
    return True


def _enqueue(pk):
    from .tasks import send_notification

    try:
        send_notification.delay(pk)
    except Exception:  # the broker is down: the beat sweep sends it later
        log.warning("notification %s: could not enqueue; the sweep will send it", pk, exc_info=True)


def render(note):
    """(subject, text, html or None) of a notification, in its language."""
    with translation.override(note.language):
        context = {**note.context, "site_name": settings.PLATFORM_NAME}
        subject = render_to_string(f"notifications/{note.template}.subject.txt", context).strip()
        text = render_to_string(f"notifications/{note.template}.txt", context)
        try:
            html = render_to_string(f"notifications/{note.template}.html", context)
        except TemplateDoesNotExist:
            html = None
    return " ".join(subject.split()), text, html


def send(pk):
    """Send one due notification; safe to run twice (the row is locked and its status checked)."""
    with transaction.atomic():
        note = Notification.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if note is None or note.status in (Notification.Status.SENT, Notification.Status.GAVE_UP):
            return False
        note.attempts += 1
        try:
            subject, text, html = render(note)
            mail = EmailMultiAlternatives(subject, text, to=[note.to])
            if html:
                mail.attach_alternative(html, "text/html")
            mail.send()
        except Exception as exc:
            log.warning("notification %s (%s): not sent: %s", note.pk, note.template, exc)
            note.last_error = str(exc)[:2000]
            gave_up = note.attempts >= MAX_ATTEMPTS
            note.status = Notification.Status.GAVE_UP if gave_up else Notification.Status.FAILED
            note.next_attempt_at = timezone.now() + dt.timedelta(minutes=2**note.attempts)
            note.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        note.status = Notification.Status.SENT
        note.sent_at = timezone.now()
        note.last_error = ""
        note.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def send_due(*, now=None, batch=200):
    now = now or timezone.now()
    due = Notification.objects.filter(
        status__in=[Notification.Status.PENDING, Notification.Status.FAILED], next_attempt_at__lte=now
    ).values_list("pk", flat=True)[:batch]
    return sum(1 for pk in list(due) if send(pk))


def resend(pk):
    """Ops: send a notification that failed (or was given up on) again, now, with fresh attempts.
    A sent one is never sent twice: returns False for it."""
    with transaction.atomic():
        updated = Notification.objects.filter(
            pk=pk, status__in=[Notification.Status.FAILED, Notification.Status.GAVE_UP]
        ).update(status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now())
        if updated:
            transaction.on_commit(lambda: _enqueue(pk))
    return bool(updated)


# --- the demo's mail files ------------------------------------------------------------------------

MAIL_SEPARATOR = "-" * 79  # what Django's file backend writes between two messages of one file


def mail_files(*, limit=50):
    """The mails Django's file backend wrote (the demo, with no SMTP server), newest first, as
    {file, subject, to, date, text}; [] when mail goes to a server."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        return []
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda path: path.stat().st_mtime, reverse=True)[:limit]
    found = []
    for path in files:
        for raw in path.read_bytes().split(b"\n" + MAIL_SEPARATOR.encode() + b"\n"):
            if raw.strip():
                found.append(_read_mail(path.name, raw))
    return found[:limit]


def text_files(*, limit=50):
    """The text messages the SMS file backend wrote (settings.SMS_FILE_PATH, one file per message:
    "To:" and "Date:" lines, a blank line, the text; the demo's phone), newest first, as
    {file, to, date, text}; [] when texts go to a gateway."""
    if not str(getattr(settings, "SMS_BACKEND", "")).endswith(".FileBackend"):
        return []
    folder = Path(settings.SMS_FILE_PATH)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.txt"), key=lambda path: (path.stat().st_mtime_ns, path.name), reverse=True)[:limit]
    return [_read_text(path.name, path.read_text(encoding="utf-8", errors="replace")) for path in files]


def _read_text(name, raw):
    head, _blank, text = raw.partition("\n\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
    return {"file": name, "to": fields.get("To", ""), "date": fields.get("Date", ""), "text": text.strip()}


def _read_mail(name, raw):
    message = email.message_from_bytes(raw.strip(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    return {
        "file": name,
        "subject": str(message.get("Subject", "")),
        "to": str(message.get("To", "")),
        "date": str(message.get("Date", "")),
        "text": body.get_content() if body is not None else "",
        "has_html": message.get_body(preferencelist=("html",)) is not None,
    }
