"""Fuzz of every partner message type through the signed inbox: for each registered type, payloads
generated from its own payload serializer (valid and invalid, via an OpenAPI document built from
those serializers) with one hostile change, in a correct envelope of the live partnership, signed
by the partner's key. The class under test: never a server error, every answer signed, and a refused
message changes no row of any table but the remembered nonce."""

import datetime as dt
import json
import uuid

import pytest
import schemathesis
from django.test import Client
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.views import APIView
from schemathesis import GenerationMode

from crossborder import messages
from crossborder.client import canonical_json
from tests.partners import MESSAGES_PATH, verify_reply

from . import hostile
from .support import changed, error_body, fixed, row_counts

pytestmark = pytest.mark.django_db
NONCES = "crossborder_seennonce"


def _payload_view(kind):
    """A view that only carries the type's payload serializer (under a name of its own) for the schema."""
    label = "".join(part.title() for part in kind.name.replace("_", ".").split("."))
    payload = type(f"{label}Payload", (kind.payload_serializer,), {})

    @extend_schema(operation_id=f"payload_{label}", request=payload, responses={200: None})
    def post(self, request):  # pragma: no cover (only its schema is used)
        raise NotImplementedError

    return type(f"{label}View", (APIView,), {"post": post, "authentication_classes": []}).as_view()


@pytest.fixture(scope="module")
def payload_schema(django_db_setup, django_db_blocker):
    patterns = [path(f"payload/{name}/", _payload_view(messages.get(name))) for name in messages.names()]
    with django_db_blocker.unblock():
        raw = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))


def test_every_message_type_answers_generated_payloads_signed_without_a_server_error(payload_schema, remote):
    client = Client()
    operations = [result.ok() for result in payload_schema.get_all_operations()]
    assert len(operations) == len(messages.names()) > 10
    for operation in operations:
        fuzz_message_type(operation, operation.path.split("/")[2], remote, client)()


def fuzz_message_type(operation, name, remote, client):
    @fixed(12)
    @given(
        case=st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ),
        data=st.data(),
    )
    def run(case, data):
        payload = case.body if isinstance(case.body, dict) else {"value": case.body}
        remote.seq += 1
        envelope = {
            "type": name,
            "seq": remote.seq,
            "partnership": str(remote.partnership.reference),
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "payload": json.loads(json.dumps(payload, default=str)),
        }
        body = data.draw(hostile.mutated_json_body(envelope)) if data.draw(st.booleans()) else canonical_json(envelope)
        prepared = remote.sign("POST", MESSAGES_PATH, body, idempotency_key=str(uuid.uuid4()))
        before = row_counts()
        response = remote.send(client, prepared)
        described = f"{name}: {body[:400]!r}"
        assert response.status_code < 500, described
        verify_reply(response)
        if response.status_code >= 400:
            difference = {t: d for t, d in changed(before, row_counts()).items() if t != NONCES}
            assert not difference, f"{described}: refused {response.status_code} but changed {difference}"
            assert error_body(response) is not None, described

    return run
