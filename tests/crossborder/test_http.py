"""Who the client is: one function for its address, and the API throttles count per account when
signed in, else per address."""

from types import SimpleNamespace

from django.test import RequestFactory

from crossborder.http import client_ip
from payments.shop.api import OrderRate, ReadRate


def request_from(address, user=None):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    request.user = user
    return request


def test_the_client_address_is_the_peer_address_parsed():
    assert client_ip(request_from("198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from("2001:db8:0:0::1")) == "2001:db8::1"


def test_an_address_that_does_not_parse_is_none():
    assert client_ip(request_from("not-an-address\x00")) is None
    assert client_ip(request_from("")) is None


def test_throttles_count_per_account_when_signed_in_else_per_address():
    signed_in = SimpleNamespace(is_authenticated=True, pk=42)
    anonymous = SimpleNamespace(is_authenticated=False, pk=None)
    rate = OrderRate()

    by_user = rate.get_cache_key(request_from("198.51.100.7", signed_in), view=None)
    same_user_elsewhere = rate.get_cache_key(request_from("203.0.113.9", signed_in), view=None)
    by_address = rate.get_cache_key(request_from("198.51.100.7", anonymous), view=None)
    no_user = rate.get_cache_key(request_from("198.51.100.7"), view=None)

    assert by_user == same_user_elsewhere and by_user.endswith("user:42")
    assert by_address == no_user and by_address.endswith("ip:198.51.100.7")
    assert ReadRate().get_cache_key(request_from("198.51.100.7"), view=None) != by_address  # rates apart


def test_the_rates_come_from_the_settings(settings):
    settings.SHOP_API_RATES = {"order": "2/minute", "read": "7/second"}
    assert (OrderRate().num_requests, OrderRate().duration) == (2, 60)
    assert (ReadRate().num_requests, ReadRate().duration) == (7, 1)
