"""The two sandbox flows through their pages with the test client: the cn wallet (our page shows a QR
code and polls; the shopper approves in the wallet app page) and the us card (a redirect to the 3-D
Secure challenge and back to our return URL)."""

import pytest

from payments.models import Payment, WebhookReceipt

from .payment_factories import charge_of, path_of, sandbox_webhooks_through_test_client, start  # noqa: F401

pytestmark = pytest.mark.django_db

S = Payment.State


def test_the_wallet_flow_through_the_pages(client, django_assert_max_num_queries):
    payment = start("sandbox_wallet", amount="128.50", return_url="/en/checkout/thanks/")
    page_url = f"/en/pay/{payment.token}/"

    with django_assert_max_num_queries(6):
        page = client.get(page_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Scan to pay" in html and "128.50 CNY" in html
    assert '<svg class="qr" role="img" aria-label="QR code to scan with your wallet app"' in html
    assert f'href="{payment.next_action["app_url"]}"' in html
    assert f'data-status-url="/en/pay/{payment.token}/status/"' in html  # what the page polls

    with django_assert_max_num_queries(5):
        status = client.get(f"/en/pay/{payment.token}/status/")
    assert status.json() == {"state": "pending", "done": False, "next": f"/en/pay/{payment.token}/return/"}

    wallet_url = path_of(payment.next_action["qr_payload"])
    with django_assert_max_num_queries(4):
        wallet = client.get(wallet_url)
    assert wallet.status_code == 200
    assert "Sandbox Wallet" in wallet.content.decode() and "Approve payment" in wallet.content.decode()

    approved = client.post(wallet_url, {"decision": "approve"})
    assert approved.status_code == 302 and approved["Location"] == wallet_url
    assert WebhookReceipt.objects.get(payment=payment).event_type == "payment.authorised"
    assert "This payment request is authorised." in client.get(wallet_url).content.decode()

    assert client.get(f"/en/pay/{payment.token}/status/").json()["done"] is True
    back = client.get(f"/en/pay/{payment.token}/return/")
    assert back.status_code == 302 and back["Location"] == "/en/checkout/thanks/"
    payment.refresh_from_db()
    assert payment.state == S.AUTHORISED


def test_the_wallet_page_polls_the_provider_when_the_webhook_is_late(client):
    from . import payment_factories as pf

    payment = start("sandbox_wallet")
    pf.OUTAGE["status"] = 502
    client.post(path_of(payment.next_action["qr_payload"]), {"decision": "approve"})
    assert client.get(f"/en/pay/{payment.token}/status/").json()["state"] == "authorised"


def test_approving_a_wallet_request_twice_is_refused_with_a_message(client):
    payment = start("sandbox_wallet")
    wallet_url = path_of(payment.next_action["qr_payload"])
    client.post(wallet_url, {"decision": "approve"})
    again = client.post(wallet_url, {"decision": "approve"})
    assert again.status_code == 409
    assert "This payment request is already authorised." in again.content.decode()


def test_the_card_flow_through_the_challenge_and_back(client, django_assert_max_num_queries):
    payment = start("sandbox_card", amount="35.00", currency="USD")

    with django_assert_max_num_queries(6):
        page = client.get(f"/en/pay/{payment.token}/")
    assert page.status_code == 302
    challenge_url = path_of(page["Location"])
    assert challenge_url == f"/en/pay/sandbox/card/{payment.provider_payment_id}/"

    with django_assert_max_num_queries(4):
        challenge = client.get(challenge_url)
    html = challenge.content.decode()
    assert "Verify your card payment" in html and "35.00 USD" in html and "Card ending in 4242" in html

    confirmed = client.post(challenge_url, {"decision": "approve"})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"http://testserver/en/pay/{payment.token}/return/"

    with django_assert_max_num_queries(5):
        result = client.get(path_of(confirmed["Location"]))
    assert result.status_code == 200
    assert "Payment received" in result.content.decode()
    assert "Thank you: 35.00 USD is paid." in result.content.decode()
    payment.refresh_from_db()
    assert (payment.state, charge_of(payment).status) == (S.AUTHORISED, "authorised")


def test_a_card_declined_at_the_challenge_says_nothing_was_charged(client):
    payment = start("sandbox_card", currency="USD")
    challenge_url = path_of(payment.next_action["redirect_url"])
    declined = client.post(challenge_url, {"decision": "decline"})
    result = client.get(path_of(declined["Location"]))
    html = result.content.decode()
    assert "The payment did not go through" in html and "Nothing was charged" in html
    payment.refresh_from_db()
    assert payment.state == S.DECLINED


def test_a_decided_payment_page_goes_to_the_outcome(client):
    payment = start("sandbox_card", currency="USD")
    client.post(path_of(payment.next_action["redirect_url"]), {"decision": "decline"})
    page = client.get(f"/en/pay/{payment.token}/")
    assert page.status_code == 302 and page["Location"] == f"/en/pay/{payment.token}/return/"


def test_an_unknown_payment_or_charge_is_not_found(client):
    assert client.get("/en/pay/not-a-token/").status_code == 404
    assert client.get("/en/pay/sandbox/wallet/wal_nope/").status_code == 404


def test_a_card_charge_is_not_shown_on_the_wallet_page(client):
    payment = start("sandbox_card", currency="USD")
    assert client.get(f"/en/pay/sandbox/wallet/{payment.provider_payment_id}/").status_code == 404
