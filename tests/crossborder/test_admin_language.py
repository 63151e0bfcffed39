"""The admin speaks its user's language: the app and model names and every list column are texts the
catalog translates, the staff member's language choice (the language cookie) is honoured under
/admin/ (the storefront keeps its own rules), the index links the ops pages, and JSON fields are
shown as tables, escaped."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise

from crossborder.admin_base import ReadableJSONMixin, json_table
from tests.partner_zone.factories import make_partnership

PROJECT_APPS = (
    "crossborder",
    "catalog",
    "logistics",
    "partner_zone",
    "payments",
    "aftersales",
    "accounts",
    "dashboard",
)


def _ours(model):
    return model.__module__.split(".")[0] in PROJECT_APPS


def _column_label(model_admin_class, model, name):
    """The text a column or a field row is titled with, or None where it comes from a function
    (its description is checked as such)."""
    if callable(name):
        return getattr(name, "short_description", None)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        attr = getattr(model_admin_class, name, None) or getattr(model, name, None)
        if isinstance(attr, property):
            attr = attr.fget
        return getattr(attr, "short_description", None)
    if not hasattr(field, "verbose_name"):  # a reverse relation: titled by the related model
        return field.related_model._meta.verbose_name
    return field.verbose_name


def untranslated_admin_texts():
    """Every app name, model name and list column (and inline field) of our admin that is not a
    translatable text: plain strings are shown in English whatever the language."""
    found = [
        f"app {config.name}"
        for config in apps.get_app_configs()
        if config.name in PROJECT_APPS and not isinstance(config.verbose_name, Promise)
    ]
    for model, model_admin in admin.site._registry.items():
        if not _ours(model):
            continue
        if "verbose_name" not in model._meta.original_attrs or not isinstance(model._meta.verbose_name, Promise):
            found.append(f"model {model.__name__}")
        columns = [(type(model_admin), model, name) for name in model_admin.list_display if name != "__str__"]
        for inline in model_admin.inlines:
            columns += [(inline, inline.model, name) for name in (inline.fields or ()) if isinstance(name, str)]
        found += [
            f"{model.__name__}.{getattr(name, '__name__', name)}"
            for cls, m, name in columns
            if not isinstance(_column_label(cls, m, name), Promise)
        ]
    return found


def test_every_app_model_and_column_of_the_admin_is_a_translatable_text():
    assert untranslated_admin_texts() == []


def test_every_admin_of_a_model_with_json_shows_it_as_a_table():
    missing = []
    for model, model_admin in admin.site._registry.items():
        classes = [(type(model_admin), model)] + [(inline, inline.model) for inline in model_admin.inlines]
        for cls, m in classes:
            has_json = any(isinstance(f, models.JSONField) for f in m._meta.get_fields())
            if _ours(m) and has_json and not issubclass(cls, ReadableJSONMixin):
                missing.append(cls.__name__)
    assert missing == []


def test_json_is_shown_as_escaped_tables():
    html = json_table(
        [
            {"sku": "MUG-1", "quantity": 2, "export_amount": {"amount": "40.00", "currency": "CNY"}},
            {"sku": "<b>POT</b>", "quantity": 1},
        ]
    )
    assert '<th scope="col">sku</th><th scope="col">quantity</th><th scope="col">export_amount</th>' in html
    assert "<td>MUG-1</td><td>2</td>" in html
    assert '<th scope="row">amount</th><td>40.00</td>' in html
    assert "&lt;b&gt;POT&lt;/b&gt;" in html and "<b>" not in html
    assert json_table({}) == json_table(None) == "—"
    assert json_table(["en", "zh-hans"]) == "en, zh-hans"


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(user)
    return client


def test_the_admin_speaks_the_language_the_staff_member_chose(staff, settings):
    settings.LANGUAGE_CODE = "en"
    assert staff.get("/admin/").headers["Content-Language"] == "en"
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = staff.get("/admin/")
    assert page.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in page.content.decode()
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # not one of ours: the platform's language
    assert staff.get("/admin/").headers["Content-Language"] == "en"


def test_the_language_form_keeps_the_choice_and_returns_to_the_page(staff, settings):
    settings.LANGUAGE_CODE = "en"
    html = staff.get("/admin/").content.decode()
    assert 'id="admin-language"' in html and 'action="/i18n/setlang/"' in html
    response = staff.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/partner-status/"})
    assert response.status_code == 302 and response["Location"] == "/admin/partner-status/"
    assert staff.get("/admin/partner-status/").headers["Content-Language"] == "zh-hans"


def test_the_storefront_keeps_its_url_language_whatever_the_admin_chose(staff, settings):
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert staff.get("/en/account/login/").headers["Content-Language"] == "en"


def test_the_admin_index_links_the_ops_pages(staff):
    html = staff.get("/admin/").content.decode()
    for path in ("/admin/dashboard/", "/admin/partner-status/", "/admin/sent-mail/"):
        assert f'href="{path}"' in html


def test_a_partnership_events_detail_reads_as_a_table_not_json(staff):
    from crossborder.models import PartnershipEvent

    partnership = make_partnership("us")
    PartnershipEvent.objects.create(
        partnership=partnership, kind="suspended", detail={"reason": "<late> settlements", "days": 3}
    )
    html = staff.get(f"/admin/crossborder/partnership/{partnership.pk}/change/").content.decode()
    assert '<table class="json-table">' in html
    assert '<th scope="row">reason</th><td>&lt;late&gt; settlements</td>' in html
    assert "&quot;reason&quot;" not in html and '"reason":' not in html


def test_the_third_party_apps_are_named_in_the_staff_language_too(staff, settings):
    """The sign-in lockouts (django-axes) and two-factor apps show no label-derived English names
    (Axes, Otp_Totp) in the sidebar, and the lockout lists' columns are in Chinese."""
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    index = staff.get("/admin/").content.decode()
    assert "登录锁定" in index and "登录尝试" in index
    for english in (">Axes<", "Otp_Totp", "Otp_Static", "access attempts"):
        assert english not in index
    attempts = staff.get("/admin/axes/accessattempt/").content.decode()
    assert "尝试时间" in attempts and "Attempt Time" not in attempts
    assert apps.get_app_config("axes").verbose_name != "Axes"


def test_ops_never_browse_authenticator_secrets_in_the_admin(staff):
    """django-otp's own device pages (which show the secret keys) are not registered: ops see
    whether a member enrolled and reset it from the team members' list."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(TOTPDevice) and not admin.site.is_registered(StaticDevice)
    assert staff.get("/admin/otp_totp/totpdevice/").status_code == 404
