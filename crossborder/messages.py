"""The registry of partner message types: what each one carries and which service receives it.

Apps register their message types here (from their AppConfig.ready or partner_api module), so the
platform core dispatches to later apps without importing them (DESIGN.md section 2)."""

from collections.abc import Callable
from dataclasses import dataclass

from rest_framework import serializers


@dataclass(frozen=True)
class MessageType:
    name: str
    payload_serializer: type[serializers.Serializer]
    handler: Callable[..., dict]  # handler(*, partnership, payload, seq) -> response body
    description: str = ""


_registry: dict[str, MessageType] = {}


def register(name, *, payload_serializer, description=""):
    """Decorator: `handler` receives validated payloads of message type `name`."""

    def wrap(handler):
        if name in _registry:
            raise RuntimeError(f"message type {name!r} is registered twice")
        _registry[name] = MessageType(name, payload_serializer, handler, description)
        return handler

    return wrap


def get(name) -> MessageType | None:
    return _registry.get(name)


def names():
    return sorted(_registry)
