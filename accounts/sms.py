"""Text messages to shoppers' phones, through a backend named by settings.SMS_BACKEND (a dotted class
path), as Django's mail framework does for e-mail:

- `FileBackend` (the default): writes each message to the log and to a file under SMS_FILE_PATH, so
  the demo shows the code a shopper would receive.
- `LocMemBackend`: collects messages in `outbox` (tests).

A real gateway is a class with the same `send_messages(messages)`; it returns how many it sent."""

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

outbox = []  # LocMemBackend's messages


@dataclass
class TextMessage:
    to: str  # E.164
    body: str
    sent_at: datetime = field(default_factory=timezone.now)


class BaseBackend:
    def send_messages(self, messages):
        raise NotImplementedError


class FileBackend(BaseBackend):
    _lock = threading.Lock()

    def __init__(self, path=None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send_messages(self, messages):
        self.path.mkdir(parents=True, exist_ok=True)
        with self._lock:
            for message in messages:
                # The number is shown with its last four digits only in the log; the file is the phone.
                log.info("text message to …%s: %s", message.to[-4:], message.body)
                name = f"{message.sent_at:%Y%m%d-%H%M%S}-{message.to.lstrip('+')}.txt"
                with (self.path / name).open("a", encoding="utf-8") as out:
                    out.write(f"To: {message.to}\nDate: {message.sent_at.isoformat()}\n\n{message.body}\n")
        return len(messages)


class LocMemBackend(BaseBackend):
    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_text(to, body):
    """Send one text message to `to` (E.164) through the configured backend."""
    return get_backend().send_messages([TextMessage(to=to, body=body)])
