"""The admin login lockout (django-axes, wired as production wires it): per user name and address
together, with the client address read through our trusted proxies only."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from crossborder.http import client_ip

pytestmark = pytest.mark.django_db


@pytest.fixture
def lockout(settings):
    # The test settings turn the lockout off; everything else is the production configuration.
    settings.AXES_ENABLED = True
    users = get_user_model()
    users.objects.create_superuser("alice", "alice@example.com", "alice-pw")
    users.objects.create_superuser("bob", "bob@example.com", "bob-pw")
    return settings


def login(client, username, password, **meta):
    client.logout()
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **meta)


def fail_five_times(client, username, **meta):
    statuses = [login(client, username, "wrong", **meta).status_code for _ in range(django_settings.AXES_FAILURE_LIMIT)]
    # The form again with its error, until the last failure locks.
    assert statuses == [200] * (django_settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_failures_for_one_user_lock_that_user_from_that_address_but_not_another_user_there(lockout, client):
    fail_five_times(client, "alice", REMOTE_ADDR="203.0.113.7")

    assert login(client, "alice", "alice-pw", REMOTE_ADDR="203.0.113.7").status_code == 429
    bob = login(client, "bob", "bob-pw", REMOTE_ADDR="203.0.113.7")
    assert bob.status_code == 302 and bob["Location"] == "/admin/"


def test_behind_one_trusted_proxy_two_clients_are_not_locked_together(lockout, client):
    lockout.TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    fail_five_times(client, "alice", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert login(client, "alice", "alice-pw", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    other = login(client, "alice", "alice-pw", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302


def test_a_spoofed_extra_forwarded_hop_does_not_escape_the_lockout(lockout, client):
    lockout.TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    # The attacker writes a new address of its own each time; our proxy appends the real one.
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.1")

    spoofed = login(client, "alice", "alice-pw", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.1")
    assert spoofed.status_code == 429


def request_with(**meta):
    return RequestFactory().get("/", **meta)


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "10.0.0.2"


def test_client_ip_reads_as_many_hops_as_trusted_proxies(settings):
    meta = {"REMOTE_ADDR": "10.0.0.3", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.1, 10.0.0.2"}
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request_with(**meta)) == "10.0.0.2"
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request_with(**meta)) == "198.51.100.1"
    # Fewer entries than proxies: the header did not come through our proxies; and junk is not an address.
    settings.TRUSTED_PROXIES = 4
    assert client_ip(request_with(**meta)) == "10.0.0.3"
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="not-an-ip")) == "10.0.0.3"
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="[2001:db8::1]:443")) == "2001:db8::1"


def test_trusted_proxy_count_comes_from_the_environment():
    code = "from django.conf import settings; print(settings.TRUSTED_PROXIES, settings.AXES_CLIENT_IP_CALLABLE)"
    env = {**os.environ, "CROSSBORDER_TRUSTED_PROXIES": "2", "DJANGO_SETTINGS_MODULE": "crossborder.settings"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    ).stdout.split()
    assert out[-2:] == ["2", "crossborder.http.client_ip"]
