"""Schema-driven fuzz of the shop API and the partner API (schemathesis over our own OpenAPI schema):
valid and invalid requests, each signed by a partnered remote's key on the partner API. The class
under test: no input is a server error, and a refused one (4xx) changes no row of any table (on the
partner API the request's nonce is remembered, as for every signed request), answered with the
error {code, detail, field}, signed on the partner API."""

import json
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.partners import verify_reply
from tests.payments.shop_factories import BUYER, RECIPIENT, own_variant, partner_listing, set_up_shop

from . import hostile
from .support import changed, error_body, fixed, row_counts

pytestmark = pytest.mark.django_db
NONCES = "crossborder_seennonce"


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))


def operations(schema, prefix):
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if op.path.startswith(prefix)]


def cases(operation):
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def request_parts(case, data, *, valid_bodies=()):
    """Method, path with query string, body bytes and headers of a generated case, as sent, with
    one hostile change drawn from `data` (hostile.py) in a path segment, the query or the body."""
    if case.path_parameters and data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(case.path_parameters)))
        case.path_parameters[name] = data.draw(hostile.url_text.filter(bool))
    if data.draw(st.booleans()):
        case.query = {
            **(case.query or {}),
            data.draw(st.sampled_from(["q", "limit", "cursor", "updated_since"])): data.draw(hostile.url_value),
        }
    sent = case.as_transport_kwargs(base_url="http://testserver")
    url = urlsplit(sent["url"])
    query = urlencode(sent.get("params") or {}, doseq=True)
    path = url.path + (f"?{query}" if query else "")
    if "json" in sent:
        # Half the time a body that would be accepted, so the hostile change reaches the services.
        if valid_bodies and data.draw(st.booleans()):
            sent["json"] = data.draw(st.sampled_from(valid_bodies))
        body = data.draw(hostile.mutated_json_body(sent["json"]))
    else:
        body = sent.get("data") or b""
        body = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body)
    headers = {k: str(v) for k, v in (sent.get("headers") or {}).items()}
    return sent["method"], path, body, headers


def send(client, method, path, body, headers):
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    extra = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in headers.items()
        if name.lower() not in ("content-type", "content-length")
    }
    if content_type:
        extra["CONTENT_TYPE"] = content_type
    return client.generic(method, path, data=body, content_type=content_type, **extra)


def check(response, before, *, described, allowed=()):
    assert response.status_code < 500, described
    if 400 <= response.status_code < 500:
        difference = {t: d for t, d in changed(before, row_counts()).items() if t not in allowed}
        assert not difference, f"{described}: refused with {response.status_code} but changed {difference}"
        assert error_body(response) is not None, f"{described}: {response.status_code} {response.content[:300]!r}"


def test_the_shop_api_answers_every_generated_request_without_a_server_error_or_a_change_on_refusal(schema, settings):
    warehouse = set_up_shop(settings)
    # Every generated order reaches the order service, not only the first twenty of the hour: which
    # of them come unchanged is the draw's (a field added to the schema changes the draws).
    settings.SHOP_API_RATES = {**settings.SHOP_API_RATES, "order": "10000/hour"}
    variant, listing = own_variant(warehouse, stock=10_000), partner_listing()
    contact = {"recipient": RECIPIENT, "email": "li.wei@example.com", "phone": "13800138000"}
    valid_bodies = [
        {"items": [{"sku": variant.sku, "quantity": 1}], **contact, "expected_total": "109.00"},
        {"items": [{"listing": listing.pk, "quantity": 1}], **contact, **BUYER, "expected_total": "197.90"},
    ]
    client, placed = Client(), []
    for operation in operations(schema, "/api/shop/v1/"):

        @fixed(60)
        @given(case=cases(operation), data=st.data())
        def run(case, data):
            method, path, body, headers = request_parts(case, data, valid_bodies=valid_bodies)
            before = row_counts()
            response = send(client, method, path, body, headers)
            check(response, before, described=f"{method} {path} {body[:300]!r}")
            placed.append(response.status_code)

        run()
    assert 201 in placed  # the unchanged valid bodies were placed: the fuzz reaches the order service


def test_the_partner_api_answers_every_signed_generated_request_with_a_signed_refusal_or_success(schema, remote):
    client = Client()
    for operation in operations(schema, "/partner-api/v1/"):

        @fixed(50)
        @given(case=cases(operation), signed=st.booleans(), data=st.data())
        def run(case, signed, data):
            method, path, body, headers = request_parts(case, data)
            described = f"{method} {path} signed={signed} {body[:300]!r}"
            prepared = None
            if signed:
                # As a partner platform sends it: JSON content type, a fresh Idempotency-Key.
                headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "signature")}
                prepared = remote.sign(method, path, body, idempotency_key=str(uuid.uuid4()))
                headers = {**headers, **dict(prepared.headers)}
            before = row_counts()
            response = send(client, method, path, body, headers)
            check(response, before, described=described, allowed=(NONCES,))
            assert response.has_header("Signature"), described
            if prepared is not None:
                response.prepared = prepared  # our reply is bound to the request it answers
                verify_reply(response)

        run()
