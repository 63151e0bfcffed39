"""docs/partner-protocol.md, the OpenAPI schema and the code agree: every error code the partner API
can answer is in the doc's table and every code there is one the code has; every message type (and
former name) is in the doc and in the schema's discriminated union; a partner on the previous
release (former names, no newer fields) still works."""

import ast
import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

from catalog.partner_api import CatalogFeedView
from crossborder import messages
from crossborder.errors import MoneyErrorCode, PartnerAPIErrorCode, PartnershipErrorCode
from tests.crossborder.handler_codes import error_codes
from tests.partners import body_json

DOC = Path(__file__).resolve().parents[2] / "docs" / "partner-protocol.md"
CORE = Path(__file__).resolve().parents[2] / "crossborder"
# DRF's own exceptions as the shared handler names them (their default_code).
DRF_CODES = {"not_found", "method_not_allowed", "throttled"}


def literal_codes(module):
    """Codes written as literals in a module of the shared error handling: the value of a "code"
    key, the first argument of JSONRefused, a module constant CODE."""
    found = set()
    for node in ast.walk(ast.parse((CORE / module).read_text())):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "code" and isinstance(value, ast.Constant):
                    found.add(value.value)
        called = isinstance(node, ast.Call) and getattr(node.func, "id", "") == "JSONRefused"
        if called and node.args and isinstance(node.args[0], ast.Constant):
            found.add(node.args[0].value)
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["CODE"]:
            found.add(node.value.value)
    return found


GENERIC = literal_codes("api_errors.py") | literal_codes("strict_json.py") | literal_codes("text_input.py")
GENERIC |= DRF_CODES | {"invalid"}  # "invalid": every serializer's field error (api_errors.py)


def doc_section(title):
    text = DOC.read_text()
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def doc_codes():
    return set(re.findall(r"^\| `([a-z_]+)` \| \d{3} \|", doc_section("5. Error codes"), re.M))


def code_codes():
    core = {str(c) for c in PartnerAPIErrorCode} | {str(c) for c in MoneyErrorCode} - {"no_exchange_rate"}
    core |= {str(PartnershipErrorCode.INVALID_TERMS)}
    core |= error_codes(CatalogFeedView.get)  # the catalog feed's own, e.g. invalid_cursor
    return core | GENERIC


def test_the_doc_lists_every_error_code_the_partner_api_answers_and_no_other():
    assert doc_codes() == code_codes()


def test_every_message_type_and_former_name_is_in_the_doc():
    listed = set(re.findall(r"^\| `([a-z_.]+)` \| (?:`([a-z_.]+)`)? ?\|", doc_section("4. Message types"), re.M))
    assert {name for name, _former in listed} == set(messages.names())
    assert {former: name for name, former in listed if former} == messages.FORMER_NAMES


@pytest.mark.django_db
def test_the_schema_envelope_is_a_union_of_every_type_by_business_name():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    envelope = schema["components"]["schemas"]["Envelope"]
    mapping = envelope["discriminator"]["mapping"]
    assert envelope["discriminator"]["propertyName"] == "type"
    assert set(mapping) == set(messages.names()) | set(messages.FORMER_NAMES)
    for name in messages.names():
        component = mapping[name].rsplit("/", 1)[1]
        assert schema["components"]["schemas"][component]["properties"]["payload"]["$ref"].endswith("Payload")


def test_the_previous_release_former_name_of_a_charge_still_applies(api, remote):
    charge = {"reference": "fee-1", "kind": "warehouse_fee", "amount": "2.50", "currency": "USD"}

    response = remote.post_message(api, "ledger.charge", charge)

    assert response.status_code == 200, response.content
    assert body_json(response)["result"] == {"reference": "fee-1"}


def doc_replies():
    """Section 8: type -> the error codes its row lists."""
    rows = re.findall(r"^\| `([a-z_.]+)` \| (.+) \| (.+) \|$", doc_section("8. Each type's reply and errors"), re.M)
    return {name: set(re.findall(r"`([a-z_]+)`", codes)) for name, _result, codes in rows}


def test_the_doc_gives_every_message_type_a_reply_and_its_handler_error_codes():
    replies = doc_replies()

    assert set(replies) == set(messages.names())
    for name in messages.names():
        assert replies[name] == error_codes(messages.get(name).handler), name


def test_a_handler_code_missing_from_the_doc_is_caught():
    """The collector reads the code a handler raises through the services it calls."""
    from payments.handlers.charges import receive_charge

    assert {"already_posted", "unknown_currency"} <= error_codes(receive_charge)


def test_every_test_the_reliability_page_names_exists():
    page = (DOC.parent / "reliability.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", page)
    root = DOC.parent.parent
    missing = [
        f"{path}::{name}" for path, name in named if not re.search(rf"^def {name}\(", (root / path).read_text(), re.M)
    ]
    assert len(named) >= 30
    assert missing == []
