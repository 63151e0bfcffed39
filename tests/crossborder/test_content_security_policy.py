"""The Content-Security-Policy: sent on the storefront's pages, with no inline script allowed, and
no template of ours that would need it (tests/browser/test_content_security_policy.py runs the pages
in Chromium)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

SCRIPT_WITHOUT_SRC = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/search/?q=bottle", "/cart/", "/checkout/", "/en/", "/merchant/login/"])
def test_storefront_pages_send_a_policy_that_allows_no_inline_script(client, path):
    response = client.get(path)
    assert response.status_code in (200, 302)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_only_the_api_docs_relax_styles_and_still_allow_no_inline_script(client):
    for path in ("/api/docs/", "/api/redoc/"):
        policy = directives(client.get(path)["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" in policy["style-src"], path
    swagger = client.get("/api/docs/").content.decode()
    assert not SCRIPT_WITHOUT_SRC.search(swagger)  # its start-up script is a request of its own


def our_templates():
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [settings.BASE_DIR / app / "templates" for app in settings.INSTALLED_APPS if "." not in app]
    files = [f for root in roots if root.is_dir() for f in root.rglob("*.html")]
    assert len(files) > 40
    return files


def test_no_template_of_ours_holds_inline_script_or_an_event_handler_attribute():
    offenders = []
    for template in our_templates():
        text = template.read_text()
        for pattern in (SCRIPT_WITHOUT_SRC, EVENT_HANDLER_ATTRIBUTE, JAVASCRIPT_URL):
            offenders += [
                f"{template.relative_to(settings.BASE_DIR)}: {m.group(0)[:80]}" for m in pattern.finditer(text)
            ]
    assert offenders == []


def test_the_scan_would_see_inline_script_and_handlers():
    assert SCRIPT_WITHOUT_SRC.search("<script>alert(1)</script>")
    assert SCRIPT_WITHOUT_SRC.search('<script type="module">x()</script>')
    assert not SCRIPT_WITHOUT_SRC.search("<script src=\"{% static 'js/site.js' %}\" defer></script>")
    assert EVENT_HANDLER_ATTRIBUTE.search('<select name="sort" onchange="go()">')
    assert not EVENT_HANDLER_ATTRIBUTE.search('<select name="sort" data-autosubmit>')
