"""Bad input is refused where it enters, as a 4xx naming the field, and changes nothing (issue 13):
token and code path segments take only their alphabet, every number a form or serializer accepts
fits its column, control characters never get past the request, and JSON is read by one strict
parser (depth, NaN, control characters) on the APIs, for partner replies and for webhooks.
The fuzz tests (tests/fuzz/) prove the class over generated input; these pin each rule."""

import importlib
import json
import pkgutil

import pytest
from django import forms
from django.urls import get_resolver
from django.urls.converters import PathConverter, StringConverter
from rest_framework import serializers

from crossborder import api_errors, strict_json
from crossborder.parsers import StrictJSONParser
from tests.fuzz.support import changed, row_counts
from tests.partners import body_json, verify_reply

pytestmark = pytest.mark.django_db

APPS = ("crossborder", "catalog", "logistics", "partner_zone", "payments", "aftersales")


# --- the class is closed: every number bounded, every token segment strict -----------------------


def _project_modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name or info.name.endswith(".tests"):
                continue
            yield importlib.import_module(info.name)


def _declared_classes(base):
    seen = {}
    for module in _project_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, base) and value.__module__.startswith(APPS):
                seen[f"{value.__module__}.{value.__qualname__}"] = value
    return seen


def _serializer_fields(name, field):
    """The field and every field nested in it (child of a list or dict, nested serializer)."""
    stack = [(name, field)]
    while stack:
        where, current = stack.pop()
        yield where, current
        child = getattr(current, "child", None)
        if child is not None:
            stack.append((f"{where}[]", child))
        if isinstance(current, serializers.BaseSerializer) and hasattr(current, "get_fields"):
            inner = current.child if isinstance(current, serializers.ListSerializer) else current
            if hasattr(inner, "_declared_fields"):
                stack.extend((f"{where}.{n}", f) for n, f in inner._declared_fields.items())


def test_every_integer_and_decimal_field_of_every_form_and_serializer_is_bounded():
    unbounded = []
    for label, form in _declared_classes(forms.BaseForm).items():
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.DecimalField):  # a subclass of IntegerField: bounded by its digits
                if field.max_digits is None or field.decimal_places is None:
                    unbounded.append(f"{label}.{name}")
            elif isinstance(field, forms.IntegerField) and (field.min_value is None or field.max_value is None):
                unbounded.append(f"{label}.{name}")
    for label, serializer in _declared_classes(serializers.BaseSerializer).items():
        for top, declared in getattr(serializer, "_declared_fields", {}).items():
            for name, field in _serializer_fields(f"{label}.{top}", declared):
                if isinstance(field, serializers.IntegerField) and (field.min_value is None or field.max_value is None):
                    unbounded.append(name)
                if isinstance(field, serializers.DecimalField) and field.max_digits is None:
                    unbounded.append(name)
    assert len(_declared_classes(serializers.BaseSerializer)) > 20  # the walk found the serializers
    assert unbounded == []


def _our_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            if getattr(pattern, "app_name", None) == "admin" or getattr(pattern, "namespace", None) == "admin":
                continue
            yield from _our_patterns(pattern, route)
        else:
            yield route, pattern


def test_no_url_of_ours_takes_a_free_text_segment():
    free = [
        route
        for route, pattern in _our_patterns()
        for converter in getattr(pattern.pattern, "converters", {}).values()
        if type(converter) in (StringConverter, PathConverter)
    ]
    assert free == []
    assert any("<token:token>" in route for route, _pattern in _our_patterns())


@pytest.mark.parametrize(
    "path", ["/orders/ab%00cd/", "/en/orders/ab%00cd/pay/", "/pay/ab%00cd/status/", "/pay/sandbox/card/ch%00x/"]
)
def test_a_nul_in_a_token_segment_is_a_404_page(client, path):
    assert client.get(path).status_code == 404


def test_a_nul_in_a_shop_api_token_is_a_json_404(client):
    response = client.get("/api/shop/v1/orders/ab%00cd/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- the strict JSON parser ----------------------------------------------------------------------


def test_the_strict_parser_accepts_64_levels_and_refuses_65_and_any_depth_without_recursion():
    assert strict_json.loads("[" * 64 + "]" * 64) is not None
    for depth in (65, 1000, 200_000):
        with pytest.raises(strict_json.JSONRefused) as refused:
            strict_json.loads("[" * depth + "]" * depth)
        assert refused.value.code == "too_deep"


@pytest.mark.parametrize("text", ['{"a": NaN}', "[Infinity]", "[-Infinity]", "[1e999]"])
def test_the_strict_parser_refuses_numbers_json_does_not_allow(text):
    with pytest.raises(strict_json.JSONRefused) as refused:
        strict_json.loads(text)
    assert refused.value.code == "invalid_number"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"a": {"b": "x\\u0000"}}', "a.b"),
        ('{"a": ["\\ud800"]}', "a.0"),
        ('{"\\u0001": 1}', "?"),
        ('{"a": "x\\b"}', "a"),  # the short escapes of two control characters
        ('[1, "\\f"]', "1"),
    ],
)
def test_the_strict_parser_refuses_control_characters_and_lone_surrogates_naming_the_place(text, field):
    with pytest.raises(strict_json.JSONRefused) as refused:
        strict_json.loads(text)
    assert (refused.value.code, refused.value.field) == ("control_character", field)


def test_the_strict_parser_keeps_tabs_newlines_and_emoji():
    assert strict_json.loads('"a\\tb\\r\\nc \\ud83d\\ude00"') == "a\tb\r\nc 😀"


def test_drf_reads_every_api_body_with_the_strict_parser(settings):
    from rest_framework.settings import api_settings

    assert [StrictJSONParser] == api_settings.DEFAULT_PARSER_CLASSES


def test_a_recursion_error_in_any_api_view_is_a_400_not_a_500():
    response = api_errors.exception_handler(RecursionError("maximum recursion depth exceeded"), {})
    assert response.status_code == 400
    assert response.data["code"] == "too_deep"


# --- the shop API ----------------------------------------------------------------------------------

SHOP = "/api/shop/v1/orders/"


def test_deeply_nested_json_on_the_shop_api_is_a_400_and_writes_nothing(client):
    before = row_counts()
    body = '{"items": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(SHOP, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert not changed(before, row_counts())


def test_a_control_character_in_a_shop_api_field_is_refused_naming_it(client):
    body = {"items": [{"sku": "A", "quantity": 1}], "recipient": {"name": "Li\u0001Wei"}, "expected_total": "1"}
    before = row_counts()
    response = client.post(SHOP, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "recipient.name" and response.json()["code"] == "control_character"
    assert not changed(before, row_counts())


def test_a_listing_id_beyond_its_column_is_a_field_error(client):
    body = {"items": [{"listing": 2**63, "quantity": 1}], "expected_total": "1"}
    response = client.post(SHOP, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "items.0.listing"


# --- the partner API: every refusal signed --------------------------------------------------------


def test_deeply_nested_json_to_the_partner_api_is_a_signed_400_and_only_the_nonce_is_kept(api, remote):
    body = ('{"type": "notice", "payload": ' + "[" * 50_000 + "]" * 50_000 + "}").encode()
    prepared = remote.sign("POST", "/partner-api/v1/messages/", body, idempotency_key="deep-1")
    before = row_counts()
    response = remote.send(api, prepared)
    assert response.status_code == 400 and body_json(response)["code"] == "too_deep"
    verify_reply(response)
    assert changed(before, row_counts()) == {"crossborder_seennonce": (0, 1)}


def test_a_control_character_in_a_partner_api_query_is_a_signed_400_naming_it(api, remote):
    prepared = remote.sign("GET", "/partner-api/v1/catalog/?cursor=a%00b")
    response = remote.send(api, prepared)
    assert response.status_code == 400
    assert body_json(response) == {
        "code": "control_character",
        "detail": "This field holds a control character or an invalid character; remove it and send it again.",
        "field": "cursor",
    }
    verify_reply(response)


def test_a_body_over_the_upload_limit_is_a_signed_413_on_the_partner_api(api, remote, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    prepared = remote.sign("POST", "/partner-api/v1/messages/", b'{"type": "notice", "pad": "' + b"x" * 200 + b'"}')
    response = remote.send(api, prepared)
    assert response.status_code == 413 and body_json(response)["code"] == "too_large"
    verify_reply(response)


@pytest.mark.parametrize("path", ["/partner-api/v1/no-such/", "/partner-api/v1/messages%00/", "/partner-api/v2/"])
def test_an_unknown_partner_api_address_is_a_signed_json_404(api, remote, path):
    prepared = remote.sign("GET", path)
    response = remote.send(api, prepared)
    assert response.status_code == 404 and body_json(response)["code"] == "not_found"
    verify_reply(response)


# --- pages: control characters in queries and forms -------------------------------------------------


def test_a_control_character_in_a_search_query_is_a_400_page_naming_the_field(client):
    response = client.get("/en/search/", {"q": "bottle\x00"})
    assert response.status_code == 400
    assert "“q”" in response.content.decode()


def test_a_control_character_in_a_checkout_field_is_a_400_page_and_changes_nothing(client):
    client.get("/en/cart/")
    before = row_counts()
    response = client.post("/en/checkout/", {"name": "Li", "address": "88 Century\x1b Avenue"})
    assert response.status_code == 400
    assert "“address”" in response.content.decode()
    assert not changed(before, row_counts())


def test_tabs_and_line_breaks_in_a_form_are_text(client):
    response = client.post("/en/checkout/", {"address": "88 Century Avenue\r\nFloor 2\tRoom 3"})
    assert response.status_code != 400 or "“address”" not in response.content.decode()


# --- numbers in path segments ----------------------------------------------------------------------

BIG = "9" * 25


@pytest.mark.parametrize("path", [f"/en/c/{BIG}/", f"/en/zone/us/c/{BIG}/", f"/en/p/{BIG}/", f"/en/checkout/{BIG}/"])
def test_a_number_beyond_any_column_in_a_page_path_is_a_404(client, remote, path):
    assert client.get(path).status_code == 404


def test_an_unknown_settlement_batch_download_is_a_404_for_ops(admin_client):
    assert admin_client.get(f"/admin/payments/settlementbatch/{BIG}/file/csv/").status_code == 404
    assert admin_client.get("/admin/payments/settlementbatch/12345/file/csv/").status_code == 404


# --- what partners send back ------------------------------------------------------------------------


def test_a_partner_reply_nested_too_deep_is_an_unverified_reply_not_a_crash(own_key, monkeypatch):
    import requests

    from crossborder import client

    def reply(prepared, **kwargs):
        response = requests.Response()
        response.status_code, response._content = 200, b"[" * 100_000 + b"]" * 100_000
        response.headers["Content-Type"] = "application/json"
        response.request = prepared
        return response

    monkeypatch.setattr(client._session, "send", reply)
    with pytest.raises(client.PartnerResponseUnverified):
        client.call("GET", "http://partner.invalid/partner-api/v1/health/", public_keys={})


# --- counts of units typed on the receiving page or sent in reports ---------------------------------


@pytest.mark.parametrize("typed", ["²", "١٢", "99999999999", "-99999999999", float("inf"), float("nan"), 2**40])
def test_a_count_that_is_no_storable_whole_number_is_a_field_error(typed):
    from logistics.services import LogisticsError
    from logistics.services.stock import check_quantity

    with pytest.raises(LogisticsError) as refused:
        check_quantity(typed, field="counted")
    assert refused.value.field == "counted"
