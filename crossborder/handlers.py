"""Receivers of the platform core's partner messages: partnership lifecycle, keys, notices.
Each one validates nothing itself and calls one service."""

from . import hooks, messages, services
from .serializers import AlertPayload, KeysUpdatedPayload, NoticePayload, StatusChangePayload

_ACTIONS = {message_type: action for action, message_type in services.STATUS_MESSAGES.items()}


def _status_handler(message_type):
    action = _ACTIONS[message_type]

    def handle(*, partnership, payload, seq):
        updated = services.change_partnership_status(
            partnership=partnership, action=action, reason=payload.get("reason", ""), from_partner=True
        )
        return {"status": updated.status}

    return handle


for _type in services.STATUS_MESSAGES.values():
    messages.register(_type, payload_serializer=StatusChangePayload, description=f"The partner's decision: {_type}")(
        _status_handler(_type)
    )


@messages.register(
    services.KEYS_UPDATED,
    payload_serializer=KeysUpdatedPayload,
    description="The sender's complete set of published public keys (rotation and retirement).",
)
def receive_keys(*, partnership, payload, seq):
    services.update_partner_keys(partner=partnership.partner, keys=payload["keys"], partnership=partnership)
    return {"key_ids": [k["key_id"] for k in payload["keys"]]}


@hooks.message_delivered.subscribe
def promote_after_announcement(message):
    """Our new key was announced to a partner: sign with it once every partner acknowledged it."""
    if message.message_type == services.KEYS_UPDATED:
        services.promote_next_signing_key()


@messages.register("partner.notice", payload_serializer=NoticePayload, description="A note between the ops teams.")
def receive_notice(*, partnership, payload, seq):
    notice = services.record_received_notice(
        partnership=partnership, subject=payload["subject"], body=payload["body"], seq=seq
    )
    return {"notice": notice.pk}


@messages.register(
    services.ALERT,
    payload_serializer=AlertPayload,
    description="An urgent note between the ops teams (since protocol 1.1; a 1.0 partner gets a partner.notice).",
    since=(1, 1),
    older_form=services.alert_as_notice,
)
def receive_alert(*, partnership, payload, seq):
    subject = services.alert_subject(payload["subject"], payload["severity"])
    notice = services.record_received_notice(partnership=partnership, subject=subject, body=payload["body"], seq=seq)
    return {"notice": notice.pk, "severity": payload["severity"]}
