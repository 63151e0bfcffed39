"""The partner API endpoints of the platform core, under /partner-api/v1/.

Every response of these views is signed (bound to the request it answers); every request must be
signed by an active partner key, except the proposal, which is signed by a key it carries itself
and vouched for by an invitation token."""

import json
import time

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from . import bounds, messages, services, signing, text_input
from .api_errors import APIError, exception_handler, first_field_error
from .authentication import (
    PartnerCaller,
    PartnerSignatureAuthentication,
    consume_nonce,
    live_partnership_or_refuse,
    refuse,
    verify_signed_request,
)
from .client import canonical_json, current_signing_key
from .errors import DomainError
from .errors import PartnerAPIErrorCode as Code
from .inbox import apply_message_once
from .models import InboxMessage, InboxSequence, OutboxMessage
from .serializers import (
    BatchInput,
    BatchReplySerializer,
    BatchSerializer,
    EnvelopeSerializer,
    ErrorSerializer,
    MessageReplySerializer,
    PartnerHealthSerializer,
    ProposalReplySerializer,
    ProposalSerializer,
)
from .throttles import PartnerRateThrottle

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True, description="Unique per state-changing message."
)
ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer, 422: ErrorSerializer}


class IsPartner(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, PartnerCaller)


class SignedResponseMixin:
    """Signs every response, errors included, with this platform's current key. The partner API
    speaks English whatever this platform's default language: its messages are read by the partner
    platform's engineers and ops, abroad."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        try:  # a major version we do not speak is refused before anything else is read
            signing.protocol_version(request._request.headers)
        except signing.SignatureRefused as exc:
            raise refuse(exc) from None
        try:
            length = int(request._request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.PARTNER_API["MAX_BODY_BYTES"]:
            raise APIError(
                "too_large",
                _("The body is larger than %(limit)s bytes.") % {"limit": settings.PARTNER_API["MAX_BODY_BYTES"]},
                status_code=413,
            )
        super().initial(request, *args, **kwargs)
        # The middleware leaves the partner API to itself, so that this refusal is signed too.
        field = text_input.first_dirty_field(request._request.GET.items())
        if field is not None:
            raise APIError(text_input.CODE, str(text_input.MESSAGE), field=field)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.render()
        key = current_signing_key()
        signing.sign_response(
            response,
            signing.DjangoRequestMessage(request._request),
            key_id=key.key_id,
            private_key=signing.load_private(key.private_key_pem),
        )
        return response


class PartnerAPIView(SignedResponseMixin, APIView):
    authentication_classes = [PartnerSignatureAuthentication]
    permission_classes = [IsPartner]
    throttle_classes = [PartnerRateThrottle]


class MessageInboxView(PartnerAPIView):
    """Receive one message from the partner's outbox."""

    @extend_schema(
        operation_id="partner_messages_receive",
        request=EnvelopeSerializer,
        responses={200: MessageReplySerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
        description="Types: " + ", ".join(messages.names()) if messages.names() else "",
    )
    def post(self, request):
        partnership = live_partnership_or_refuse(request.user)
        answer = receive_message(
            partner=request.user.partner,
            partnership=partnership,
            data=request.data,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            body=request._request.body,
        )
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def receive_message(*, partner, partnership, data, idempotency_key, body):
    """Check one envelope and apply it at most once (docs/partner-protocol.md section 3): the
    answer, or the refusal raised as an APIError or DomainError."""
    envelope = EnvelopeSerializer(data=data)
    if not envelope.is_valid():
        unknown = [e for e in envelope.errors.get("type", []) if getattr(e, "code", "") == Code.UNKNOWN_MESSAGE_TYPE]
        if unknown:  # its documented code, not the generic "invalid" of a field
            raise APIError(Code.UNKNOWN_MESSAGE_TYPE, str(unknown[0]), field="type")
        envelope.is_valid(raise_exception=True)
    message = envelope.validated_data
    if message["partnership"] != partnership.reference:
        raise APIError(
            Code.PARTNERSHIP_CONFLICT,
            "The message names a partnership other than our live one with you.",
            status_code=409,
            field="partnership",
        )
    kind = messages.received(message["type"])  # a former name is applied as the current type
    payload = kind.payload_serializer(data=message["payload"])
    if not payload.is_valid():
        where, _detail = first_field_error(payload.errors)
        raise APIError(
            Code.INVALID_PAYLOAD,
            f"Invalid {message['type']} payload: {json.dumps(payload.errors, default=str)}",
            field=f"payload.{where}" if where else "payload",
        )

    def effect():
        result = kind.handler(partnership=partnership, payload=payload.validated_data, seq=message["seq"])
        return 200, {"type": message["type"], "seq": message["seq"], "result": result}

    return apply_message_once(
        partner=partner,
        partnership=partnership,
        idempotency_key=idempotency_key,
        body=body,
        message_type=kind.name,
        seq=message["seq"],
        message_hash=signing.body_hash(canonical_json({"type": kind.name, "payload": data["payload"]})),
        effect=effect,
    )


class MessageBatchView(PartnerAPIView):
    """Receive several messages of the partner's outbox in one request (since protocol 1.2)."""

    @extend_schema(
        operation_id="partner_messages_receive_batch",
        request=BatchSerializer,
        responses={200: BatchReplySerializer, **ERRORS},
        description="Applies the messages in the order given, each exactly as `messages/` would, and "
        "stops at the first that is not applied (its refusal is its result) or when the receiver's time "
        "budget is spent: a message without a result was not applied; send it again.",
    )
    def post(self, request):
        partnership = live_partnership_or_refuse(request.user)
        batch = BatchInput(data=request.data)
        batch.is_valid(raise_exception=True)
        if batch.validated_data["partnership"] != partnership.reference:
            raise APIError(
                Code.PARTNERSHIP_CONFLICT,
                "The batch names a partnership other than our live one with you.",
                status_code=409,
                field="partnership",
            )
        results = []
        deadline = time.monotonic() + settings.PARTNER_API["BATCH_SECONDS"]
        for item in batch.validated_data["messages"]:
            if results and time.monotonic() > deadline:
                break
            try:
                answer = receive_message(
                    partner=request.user.partner,
                    partnership=partnership,
                    data=item["message"],
                    idempotency_key=item["idempotency_key"],
                    body=canonical_json(item["message"]),
                )
            except (APIError, DomainError, ValidationError) as exc:
                refusal = exception_handler(exc, None)
                results.append(
                    {"seq": _seq_of(item), "status": refusal.status_code, "replayed": False, "reply": refusal.data}
                )
                break
            results.append(
                {"seq": _seq_of(item), "status": answer.status, "replayed": answer.replayed, "reply": answer.body}
            )
        return Response({"results": results, "received": len(batch.validated_data["messages"])})


def _seq_of(item):
    seq = item["message"].get("seq")
    return seq if type(seq) is int and 1 <= seq <= bounds.integer(InboxMessage, "seq")["max_value"] else None


class PartnershipProposalView(SignedResponseMixin, APIView):
    """A platform that holds one of our invitations proposes a partnership."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [PartnerRateThrottle]

    @extend_schema(
        operation_id="partnership_propose",
        request=ProposalSerializer,
        responses={200: ProposalReplySerializer, 201: ProposalReplySerializer, **ERRORS},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request):
        django_request = request._request
        try:
            sig = verify_signed_request(django_request, public_key=None)
        except signing.SignatureRefused as exc:
            raise refuse(exc) from None
        proposal = ProposalSerializer(data=request.data)
        proposal.is_valid(raise_exception=True)
        keys = {k["key_id"]: k["public_key"] for k in proposal.validated_data["keys"]}
        if sig.key_id not in keys:
            raise APIError(Code.KEY_UNKNOWN, "A proposal must be signed with one of the keys it carries.")
        try:
            public_key = signing.load_public(keys[sig.key_id])
        except ValueError as exc:
            raise APIError(Code.INVALID_PAYLOAD, str(exc), field="keys") from None
        try:
            verify_signed_request(django_request, public_key=public_key)
        except signing.SignatureRefused as exc:
            raise refuse(exc) from None
        if not request.headers.get("Idempotency-Key"):
            raise APIError(
                Code.IDEMPOTENCY_KEY_MISSING,
                "State-changing calls need an Idempotency-Key header.",
                field="Idempotency-Key",
            )
        consume_nonce(sig)
        partnership, reply, created = services.receive_partnership_proposal(
            proposal=request.data, signed_with=sig.key_id
        )
        services.record_partner_version(partnership.partner, django_request.headers)
        response = Response(reply, status=201 if created else 200)
        if not created:  # the partnership this proposal made already: its answer again
            response["Idempotent-Replayed"] = "true"
        return response


class PartnerNotFoundView(SignedResponseMixin, APIView):
    """Any other address under the partner API: the signed JSON 404, like every other refusal."""

    authentication_classes = []
    permission_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        raise NotFound(_("No partner API endpoint at this address."))


class PartnerHealthView(PartnerAPIView):
    """Liveness and backlog, as the calling partner sees us."""

    @extend_schema(operation_id="partner_health", responses={200: PartnerHealthSerializer, **ERRORS})
    def get(self, request):
        partnership = live_partnership_or_refuse(request.user)
        backlog = OutboxMessage.objects.filter(partnership=partnership, status=OutboxMessage.Status.PENDING).count()
        last_seq = (
            InboxSequence.objects.filter(partnership=partnership).values_list("last_applied_seq", flat=True).first()
        )
        return Response(
            {
                "platform": services.platform_identity()["code"],
                "time": timezone.now(),
                "partnership_status": partnership.status,
                "backlog_to_you": backlog,
                "last_received_seq": last_seq,
            }
        )
