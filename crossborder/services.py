"""Business operations of the platform core: identity and keys, partnerships, partner messages.

Each public function is one transaction (or, where it talks to a partner, commits its intent
before the call and records the result after it)."""

import datetime as dt
import hashlib
import logging
import os
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import client, hooks, messages, signing
from .errors import DomainError
from .errors import PartnershipErrorCode as Code
from .models import (
    OutboxMessage,
    Partner,
    PartnerKey,
    PartnerNotice,
    Partnership,
    PartnershipEvent,
    PartnershipInvitation,
    PlatformIdentity,
    SigningKey,
)
from .terms import Terms

log = logging.getLogger(__name__)

KEYS_UPDATED = "partner.keys_updated"
PROPOSAL_PATH = "/partner-api/v1/partnerships/"


# --- identity and keys --------------------------------------------------------------------


def platform_identity():
    return {
        "code": settings.PLATFORM_CODE,
        "name": settings.PLATFORM_NAME,
        "country": settings.PLATFORM_COUNTRY,
        "currency": settings.PLATFORM_CURRENCY,
        "languages": list(settings.PLATFORM_LANGUAGES),
        "base_url": settings.PLATFORM_BASE_URL,
    }


@transaction.atomic
def sync_platform_identity():
    """Mirror the settings into the identity row ops see in the admin."""
    identity, _ = PlatformIdentity.objects.update_or_create(
        pk=1, defaults={**platform_identity(), "time_zone": settings.TIME_ZONE}
    )
    return identity


def _key_id(public_b64):
    fingerprint = hashlib.sha256(public_b64.encode()).hexdigest()[:12]
    return f"{settings.PLATFORM_CODE}-{fingerprint}"


def _write_key_file(path, pem):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)


@transaction.atomic
def ensure_signing_key():
    """Make sure a CURRENT key exists: the key file's (created on first run) or the stored one."""
    current = SigningKey.objects.select_for_update().filter(status=SigningKey.Status.CURRENT).first()
    if current:
        return current
    path = settings.SIGNING_KEY_FILE
    if path.exists():
        pem = path.read_text()
        public = signing.public_b64(signing.load_private(pem).public_key())
    else:
        pem, public = signing.generate_keypair()
        _write_key_file(path, pem)
    key, _ = SigningKey.objects.update_or_create(
        key_id=_key_id(public),
        defaults={
            "private_key_pem": pem,
            "public_key": public,
            "status": SigningKey.Status.CURRENT,
            "activated_at": timezone.now(),
        },
    )
    return key


def published_keys():
    return [k.as_published() for k in SigningKey.objects.exclude(status=SigningKey.Status.RETIRED)]


def _announce_keys(reason):
    payload = {"keys": published_keys(), "reason": reason}
    for partnership in Partnership.objects.filter(status__in=Partnership.LIVE_STATUSES).select_related("partner"):
        send_to_partner(partnership, KEYS_UPDATED, payload)


@transaction.atomic
def rotate_signing_key(*, actor=None):
    """Start a rotation: publish a NEXT key to every partner. It signs only once every partner
    has acknowledged it (promote_next_signing_key), so no request is ever refused for it."""
    if SigningKey.objects.filter(status=SigningKey.Status.NEXT).exists():
        raise DomainError(Code.INVALID_STATE, "A key rotation is already in progress.")
    pem, public = signing.generate_keypair()
    key = SigningKey.objects.create(key_id=_key_id(public), private_key_pem=pem, public_key=public)
    _announce_keys("rotation")
    transaction.on_commit(promote_next_signing_key)
    return key


def _keys_announcement_pending():
    return OutboxMessage.objects.filter(message_type=KEYS_UPDATED, status=OutboxMessage.Status.PENDING).exists()


@transaction.atomic
def promote_next_signing_key():
    """NEXT becomes CURRENT once no key announcement is waiting; CURRENT stays published as
    PREVIOUS for the grace period. Returns the new current key, or None if not yet."""
    nxt = SigningKey.objects.select_for_update().filter(status=SigningKey.Status.NEXT).first()
    if nxt is None or _keys_announcement_pending():
        return None
    now = timezone.now()
    grace = dt.timedelta(days=settings.PARTNER_API["KEY_GRACE_DAYS"])
    SigningKey.objects.filter(status=SigningKey.Status.CURRENT).update(
        status=SigningKey.Status.PREVIOUS, retire_after=now + grace
    )
    nxt.status = SigningKey.Status.CURRENT
    nxt.activated_at = now
    nxt.save(update_fields=["status", "activated_at"])
    return nxt


@transaction.atomic
def retire_previous_signing_keys(*, now=None):
    """Retire PREVIOUS keys past their grace period and tell partners to drop them."""
    now = now or timezone.now()
    retired = SigningKey.objects.filter(status=SigningKey.Status.PREVIOUS, retire_after__lte=now).update(
        status=SigningKey.Status.RETIRED, retired_at=now
    )
    if retired:
        _announce_keys("retirement")
    return retired


def _valid_key_entries(keys, *, field="keys"):
    if not isinstance(keys, list) or not keys:
        raise DomainError(Code.INVALID_TERMS, "At least one public key is required.", field=field)
    parsed = []
    for entry in keys:
        try:
            key_id = str(entry["key_id"])
            public = str(entry["public_key"])
            signing.load_public(public)
            algorithm = entry.get("algorithm", "ed25519")
        except (KeyError, TypeError, ValueError) as exc:
            raise DomainError(Code.INVALID_TERMS, f"Malformed public key entry: {exc}", field=field) from exc
        if algorithm != "ed25519":
            raise DomainError(Code.INVALID_TERMS, "Only ed25519 keys are accepted.", field=field)
        not_after = entry.get("not_after")
        if isinstance(not_after, str):
            try:
                not_after = dt.datetime.fromisoformat(not_after)
            except ValueError as exc:
                raise DomainError(Code.INVALID_TERMS, f"Bad not_after for key {key_id}.", field=field) from exc
        parsed.append((key_id, public, not_after or None))
    return parsed


@transaction.atomic
def update_partner_keys(*, partner, keys, partnership=None):
    """Take the partner's published key set: add new keys, revoke the ones no longer listed."""
    entries = _valid_key_entries(keys)
    listed = set()
    for key_id, public, not_after in entries:
        existing = PartnerKey.objects.filter(key_id=key_id).first()
        if existing and (existing.partner_id != partner.pk or existing.public_key != public):
            raise DomainError(Code.INVALID_TERMS, f"Key id {key_id} is already bound to another key.", field="keys")
        if existing:
            existing.not_after = not_after
            existing.save(update_fields=["not_after"])
        else:
            PartnerKey.objects.create(partner=partner, key_id=key_id, public_key=public, not_after=not_after)
        listed.add(key_id)
    PartnerKey.objects.filter(partner=partner, status=PartnerKey.Status.ACTIVE).exclude(key_id__in=listed).update(
        status=PartnerKey.Status.REVOKED, revoked_at=timezone.now()
    )
    if partnership is not None:
        PartnershipEvent.objects.create(
            partnership=partnership,
            kind=PartnershipEvent.Kind.KEYS_UPDATED,
            by_partner=True,
            detail={"key_ids": sorted(listed)},
        )


# --- terms --------------------------------------------------------------------------------


def validate_terms(terms, *, partner_currency=None):
    """Proposed terms as a typed Terms (crossborder.terms); a DomainError names the first wrong
    field, and for a fee the key."""
    return Terms.parse(terms, partner_currency=partner_currency)


# --- partnerships -------------------------------------------------------------------------


def _hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_invitation(*, label="", auto_accept=False, token=None, valid_days=7):
    """An invitation a prospective partner must quote in its proposal. Returns (invitation, token)."""
    token = token or secrets.token_urlsafe(24)
    if len(token) < 16:
        raise DomainError(Code.INVALID_TERMS, "An invitation token needs at least 16 characters.", field="token")
    invitation = PartnershipInvitation.objects.create(
        token_hash=_hash_token(token),
        label=label,
        auto_accept=auto_accept,
        expires_at=timezone.now() + dt.timedelta(days=valid_days),
    )
    return invitation, token


def _record_event(partnership, kind, *, actor=None, by_partner=False, **detail):
    PartnershipEvent.objects.create(
        partnership=partnership, kind=kind, actor=actor, by_partner=by_partner, detail=detail
    )


def _partner_fields(platform):
    try:
        fields = {
            "code": str(platform["code"]).lower(),
            "name": str(platform["name"])[:120],
            "country": str(platform["country"]).upper()[:2],
            "currency": str(platform["currency"]).upper()[:3],
            "languages": [str(x) for x in platform.get("languages", [])],
            "base_url": str(platform["base_url"]).rstrip("/"),
        }
    except (KeyError, TypeError) as exc:
        raise DomainError(Code.INVALID_TERMS, f"Platform description lacks {exc}.", field="platform") from exc
    if fields["code"] == settings.PLATFORM_CODE:
        raise DomainError(Code.INVALID_TERMS, "A platform cannot partner with itself.", field="platform.code")
    return fields


def propose_partnership(*, base_url, invitation_token, terms, actor=None):
    """Propose a partnership to the platform at `base_url`; both sides end with matching rows.

    The partner's reply is verified with the keys it carries, which the invitation token (given
    out of band) vouches for. Retrying with the same reference is safe on both sides."""
    clean = validate_terms(terms)
    reference = uuid.uuid4()
    payload = {
        "reference": str(reference),
        "invitation": invitation_token,
        "platform": platform_identity(),
        "keys": published_keys(),
        "terms": clean.as_json(),
    }

    def keys_from_reply(data):
        entries = _valid_key_entries(data["keys"])
        return {key_id: signing.load_public(public) for key_id, public, _ in entries}

    try:
        reply = client.call(
            "POST",
            base_url.rstrip("/") + PROPOSAL_PATH,
            payload=payload,
            idempotency_key=str(reference),
            keys_from_reply=keys_from_reply,
        )
    except client.PartnerUnreachable as exc:
        raise DomainError(Code.PARTNER_UNREACHABLE, str(exc), status=502) from exc
    except client.PartnerResponseUnverified as exc:
        raise DomainError(
            Code.PARTNER_REFUSED, f"The partner's reply could not be verified: {exc}", status=502
        ) from exc
    if not reply.ok:
        raise DomainError(Code.PARTNER_REFUSED, f"The partner refused: {reply.data}", status=502)
    partnership = _record_accepted_proposal(reference=reference, reply=reply.data, terms=clean, actor=actor)
    record_partner_version(partnership.partner, reply.headers)
    return partnership


@transaction.atomic
def _record_accepted_proposal(*, reference, reply, terms, actor):
    fields = _partner_fields(reply["platform"])
    partner, _ = Partner.objects.update_or_create(code=fields.pop("code"), defaults=fields)
    status = reply.get("status", Partnership.Status.PROPOSED)
    if status not in (Partnership.Status.PROPOSED, Partnership.Status.ACTIVE):
        raise DomainError(Code.PARTNER_REFUSED, f"The partner answered with status {status!r}.")
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                reference=reference,
                partner=partner,
                status=status,
                initiated_by=Partnership.Initiator.US,
                **terms.model_fields(),
            )
    except IntegrityError as exc:
        raise DomainError(Code.ALREADY_PARTNERED, f"{partner} already has a live partnership.") from exc
    update_partner_keys(partner=partner, keys=reply["keys"])
    _record_event(partnership, PartnershipEvent.Kind.PROPOSED, actor=actor)
    if status == Partnership.Status.ACTIVE:
        _record_event(partnership, PartnershipEvent.Kind.ACCEPTED, by_partner=True)
        hooks.partnership_activated.fire(partnership=partnership)
    return partnership


def _proposal_reply(partnership):
    return {
        "reference": str(partnership.reference),
        "status": partnership.status,
        "platform": platform_identity(),
        "keys": published_keys(),
        "terms": partnership.terms.as_json(),
    }


@transaction.atomic
def receive_partnership_proposal(*, proposal, signed_with):
    """A prospective partner's proposal, already verified as signed by the key `signed_with`
    that the proposal itself carries. Returns (partnership, reply body, created)."""
    try:
        reference = uuid.UUID(str(proposal["reference"]))
        token = str(proposal["invitation"])
    except (KeyError, ValueError) as exc:
        raise DomainError(Code.INVALID_TERMS, f"Proposal lacks a valid {exc}.", field="reference") from exc
    fields = _partner_fields(proposal.get("platform") or {})
    existing = Partnership.objects.filter(reference=reference).select_related("partner").first()
    if existing:
        if existing.partner.code != fields["code"]:
            raise DomainError(Code.INVALID_TERMS, "This reference belongs to another partner.", field="reference")
        return existing, _proposal_reply(existing), False
    clean = validate_terms(proposal.get("terms") or {}, partner_currency=fields["currency"])
    invitation = (
        PartnershipInvitation.objects.select_for_update()
        .filter(token_hash=_hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        raise DomainError(
            "invitation_invalid", "The invitation is unknown, used or expired.", field="invitation", status=403
        )
    if signed_with not in {entry.get("key_id") for entry in proposal.get("keys", []) if isinstance(entry, dict)}:
        raise DomainError(Code.INVALID_TERMS, "The proposal must be signed with one of its own keys.", field="keys")
    code = fields.pop("code")
    partner, _ = Partner.objects.update_or_create(code=code, defaults=fields)
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                reference=reference,
                partner=partner,
                initiated_by=Partnership.Initiator.PARTNER,
                **clean.model_fields(),
            )
    except IntegrityError as exc:
        raise DomainError(
            "partnership_conflict", f"{partner} already has a live partnership with us.", status=409
        ) from exc
    update_partner_keys(partner=partner, keys=proposal["keys"])
    invitation.used_at = timezone.now()
    invitation.used_by = partner
    invitation.save(update_fields=["used_at", "used_by"])
    _record_event(partnership, PartnershipEvent.Kind.PROPOSED, by_partner=True, invitation=invitation.label)
    if invitation.auto_accept:
        _set_status(partnership, Partnership.Status.ACTIVE, PartnershipEvent.Kind.ACCEPTED, reason="invitation")
    return partnership, _proposal_reply(partnership), True


def _set_status(partnership, status, kind, *, reason="", actor=None, by_partner=False):
    partnership.status = status
    partnership.status_reason = reason[:300]
    partnership.status_changed_at = timezone.now()
    if status == Partnership.Status.ENDED and not partnership.ends_on:
        partnership.ends_on = max(timezone.localdate(), partnership.starts_on)
    partnership.save(update_fields=["status", "status_reason", "status_changed_at", "ends_on"])
    _record_event(partnership, kind, actor=actor, by_partner=by_partner, reason=reason)


_TRANSITIONS = {
    # action: (allowed from, to, event, message sent to the partner)
    "accept": ((Partnership.Status.PROPOSED,), Partnership.Status.ACTIVE, PartnershipEvent.Kind.ACCEPTED),
    "decline": ((Partnership.Status.PROPOSED,), Partnership.Status.ENDED, PartnershipEvent.Kind.DECLINED),
    "suspend": ((Partnership.Status.ACTIVE,), Partnership.Status.SUSPENDED, PartnershipEvent.Kind.SUSPENDED),
    "resume": ((Partnership.Status.SUSPENDED,), Partnership.Status.ACTIVE, PartnershipEvent.Kind.RESUMED),
    "end": (
        (Partnership.Status.PROPOSED, Partnership.Status.ACTIVE, Partnership.Status.SUSPENDED),
        Partnership.Status.ENDED,
        PartnershipEvent.Kind.ENDED,
    ),
}
STATUS_MESSAGES = {
    "accept": "partnership.accepted",
    "decline": "partnership.declined",
    "suspend": "partnership.suspended",
    "resume": "partnership.resumed",
    "end": "partnership.ended",
}


@transaction.atomic
def change_partnership_status(*, partnership, action, reason="", actor=None, from_partner=False):
    """Accept, decline, suspend, resume or end a partnership. Our own decisions are sent to the
    partner through the outbox; the partner's arrive here with from_partner=True."""
    allowed, target, kind = _TRANSITIONS[action]
    reason = str(reason or "")
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if locked.status == target and from_partner:
        return locked  # the partner repeats what we already know
    if locked.status not in allowed:
        raise DomainError(
            Code.INVALID_STATE,
            f"Cannot {action} a partnership that is {locked.get_status_display()}.",
            field="status",
            status=409,
        )
    if action == "accept" and not from_partner and locked.initiated_by == Partnership.Initiator.US:
        raise DomainError(Code.INVALID_STATE, "Only the invited platform accepts a proposal.", status=409)
    if not from_partner:
        # Queued while the partnership is still live: a decline or an end leaves it ended, and
        # the partner is told all the same (the relay delivers it like any other message).
        send_to_partner(locked, STATUS_MESSAGES[action], {"reason": reason})
    _set_status(locked, target, kind, reason=reason, actor=actor, by_partner=from_partner)
    if action == "accept":
        hooks.partnership_activated.fire(partnership=locked)
    partnership.refresh_from_db()
    return locked


def suspend_partnership(*, partnership, reason, actor=None):
    return change_partnership_status(partnership=partnership, action="suspend", reason=reason, actor=actor)


def resume_partnership(*, partnership, actor=None, reason=""):
    return change_partnership_status(partnership=partnership, action="resume", reason=reason, actor=actor)


def accept_partnership(*, partnership, actor=None):
    return change_partnership_status(partnership=partnership, action="accept", actor=actor)


# --- messages to partners -------------------------------------------------------------------


@transaction.atomic
def send_to_partner(partnership, message_type, payload):
    """Queue a message for the partner in the caller's transaction; the relay delivers it in
    order. Nothing is sent if the caller's transaction rolls back."""
    if messages.get(message_type) is None:
        raise DomainError("unknown_message_type", f"No message type {message_type!r} is registered.")
    if not partnership.is_live:
        raise DomainError(Code.INVALID_STATE, "Messages go only to live partnerships.", status=409)
    Partnership.objects.filter(pk=partnership.pk).update(outbox_seq=F("outbox_seq") + 1)
    seq = Partnership.objects.values_list("outbox_seq", flat=True).get(pk=partnership.pk)
    message = OutboxMessage.objects.create(partnership=partnership, seq=seq, message_type=message_type, payload=payload)
    if settings.OUTBOX["RELAY_ON_COMMIT"]:
        transaction.on_commit(lambda: _kick_relay(partnership.pk))
    return message


@transaction.atomic
def leave_outbox_gap(partnership):
    """Skip one seq of the partnership's outbox: it is never sent (gaps are allowed, and a
    receiver refuses it later as seq_out_of_order). For the conformance kit."""
    Partnership.objects.filter(pk=partnership.pk).update(outbox_seq=F("outbox_seq") + 1)
    return Partnership.objects.values_list("outbox_seq", flat=True).get(pk=partnership.pk)


@transaction.atomic
def announce_keys_to(partnership, *, extra=()):
    """Queue our published key set, plus `extra` entries, for one partner (the conformance kit
    publishes a key past its not_after this way, then the real set alone)."""
    return send_to_partner(partnership, KEYS_UPDATED, {"keys": published_keys() + list(extra), "reason": "conformance"})


def _kick_relay(partnership_id):
    """Ask a worker to relay now. Losing this request loses nothing: the beat relays anyway."""
    from .tasks import relay_partnership_outbox

    try:
        relay_partnership_outbox.apply_async((partnership_id,), retry=False)
    except Exception as exc:  # broker down: the message waits in the outbox for the beat
        log.warning("could not queue an outbox relay for partnership %s: %s", partnership_id, exc)


def record_partner_version(partner, headers):
    """Remember the protocol version of the partner's latest signed request or reply (none: 1.0);
    our outbox sends it only the message types of that version (docs/partner-protocol.md section 7)."""
    try:
        major, minor = signing.protocol_version(headers)
    except signing.SignatureRefused:
        return
    version = f"{major}.{minor}"
    if partner.protocol_version != version:
        Partner.objects.filter(pk=partner.pk).update(protocol_version=version)
        partner.protocol_version = version


def partner_version(partner):
    """(major, minor) of the partner's protocol version as last heard; 1.0 until heard."""
    major, _, minor = (partner.protocol_version or "1.0").partition(".")
    return (int(major), int(minor))


ALERT = "partner.alert"
ALERT_SEVERITIES = ("warning", "critical")


def alert_subject(subject, severity):
    """How an alert reads as a notice, on both sides and whatever the partner's version."""
    return f"[{severity}] {subject}"[:200]


def alert_as_notice(payload):
    """The older form (protocol 1.0) of a partner.alert: a partner.notice."""
    return "partner.notice", {
        "subject": alert_subject(payload["subject"], payload["severity"]),
        "body": payload.get("body", ""),
    }


@transaction.atomic
def send_notice(*, partnership, subject, body="", severity=None, actor=None):
    """A note to the partner's ops team; with a severity, an alert (`partner.alert`)."""
    subject = (subject or "").strip()
    if not subject:
        raise DomainError("invalid_notice", "A notice needs a subject.", field="subject")
    if len(subject) > 200:
        raise DomainError("invalid_notice", "A subject has at most 200 characters.", field="subject")
    if severity is None:
        message = send_to_partner(partnership, "partner.notice", {"subject": subject, "body": body})
    elif severity in ALERT_SEVERITIES:
        message = send_to_partner(partnership, ALERT, {"subject": subject, "body": body, "severity": severity})
        subject = alert_subject(subject, severity)
    else:
        raise DomainError("invalid_notice", "The severity is warning or critical.", field="severity")
    return PartnerNotice.objects.create(
        partnership=partnership,
        direction=PartnerNotice.Direction.SENT,
        subject=subject,
        body=body,
        sent_seq=message.seq,
    )


@transaction.atomic
def record_received_notice(*, partnership, subject, body, seq=None):
    return PartnerNotice.objects.create(
        partnership=partnership, direction=PartnerNotice.Direction.RECEIVED, subject=subject, body=body, sent_seq=seq
    )
