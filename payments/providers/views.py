"""Shopper-facing payment pages: our payment page (a QR code to scan while the page polls, or the
way to the provider's redirect), the return from a provider, and the sandbox providers' own pages
(the wallet app's approval screen and the card's 3-D Secure challenge). Views parse and call one
service or sandbox operation; the state changes happen there."""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crossborder import money
from crossborder.errors import DomainError

from . import ProviderError, get_provider
from .models import Payment, SandboxCharge
from .sandbox import SandboxCard, SandboxWallet
from .services import payment as payments

try:  # the QR code is drawn as inline SVG when the library is installed, else shown as text
    import qrcode
    from qrcode.image.svg import SvgPathImage
except ImportError:  # pragma: no cover - requirements.lock installs it
    qrcode = None


def qr_svg(payload, label):
    """The QR code of `payload` as an inline SVG element, or "" without the library."""
    if qrcode is None:
        return ""
    image = qrcode.make(payload, image_factory=SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", f'<svg class="qr" role="img" aria-label="{escape(label)}" ', 1)


def _shown(amount, currency):
    return money.quantize(amount, currency)


def _payment(token):
    return get_object_or_404(Payment, token=token)


def _caught_up(payment):
    """The payment after asking the provider, when it is still open; as it is if the provider is away."""
    if payment.state not in Payment.OPEN_STATES:
        return payment
    try:
        return payments.refresh_payment(payment=payment)
    except DomainError:
        return payment


def _done(payment):
    return payment.state not in Payment.OPEN_STATES


# --- our side -------------------------------------------------------------------------------------


@require_GET
def payment_page(request, token):
    payment = _caught_up(_payment(token))
    if _done(payment):
        return redirect("payments:payment-return", token=payment.token)
    action = payment.next_action or {}
    if action.get("kind") == "redirect":
        return redirect(action["redirect_url"])
    payload = action.get("qr_payload", "")
    return render(
        request,
        "payments/sandbox/payment.html",
        {
            "payment": payment,
            "amount": _shown(payment.amount, payment.currency),
            "qr_payload": payload,
            "qr_svg": qr_svg(payload, _("QR code to scan with your wallet app")) if payload else "",
            "app_url": action.get("app_url", ""),
            "status_url": reverse("payments:payment-status", kwargs={"token": payment.token}),
        },
    )


@require_GET
def payment_status(request, token):
    payment = _caught_up(_payment(token))
    return JsonResponse(
        {
            "state": payment.state,
            "done": _done(payment),
            "next": reverse("payments:payment-return", kwargs={"token": payment.token}),
        }
    )


@require_GET
def payment_return(request, token):
    """Where a provider sends the shopper back: catch up with the provider, then go on to the
    checkout's own page, or show the outcome here when there is none."""
    payment = _caught_up(_payment(token))
    if _done(payment) and payment.return_url:
        return redirect(payment.return_url)
    return render(
        request,
        "payments/sandbox/result.html",
        {
            "payment": payment,
            "amount": _shown(payment.amount, payment.currency),
            "paid": payment.state in Payment.HOLDS_MONEY,
            "waiting": not _done(payment),
        },
    )


# --- the sandbox providers' pages (a real provider hosts these on its own site) --------------------


def _sandbox(charge_id, provider_class):
    charge = get_object_or_404(SandboxCharge, charge_id=charge_id)
    provider = get_provider(charge.provider)
    if not isinstance(provider, provider_class):
        raise Http404("no such charge at this provider")
    return charge, provider


def _decide(request, provider, charge):
    """Approve or decline as the shopper chose; an error message when the request is no longer open."""
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        return charge, _("Choose approve or decline.")
    try:
        charge = provider.approve(charge.charge_id) if decision == "approve" else provider.decline(charge.charge_id)
    except ProviderError as error:
        return charge, error.detail
    return charge, ""


def _sandbox_context(charge, provider, error=""):
    return {
        "charge": charge,
        "provider": provider,
        "amount": _shown(charge.amount, charge.currency),
        "error": error,
        "open": charge.status == SandboxCharge.Status.PENDING,
    }


@require_http_methods(["GET", "POST"])
def sandbox_wallet(request, charge_id):
    """The wallet app's screen after scanning the QR code: approve or decline the payment."""
    charge, provider = _sandbox(charge_id, SandboxWallet)
    error = ""
    if request.method == "POST":
        charge, error = _decide(request, provider, charge)
        if not error:
            return redirect(request.path)
    status = 409 if error else 200
    return render(request, "payments/sandbox/wallet.html", _sandbox_context(charge, provider, error), status=status)


@require_http_methods(["GET", "POST"])
def sandbox_card(request, charge_id):
    """The card issuer's 3-D Secure challenge: approve or decline, then back to the shop."""
    charge, provider = _sandbox(charge_id, SandboxCard)
    error = ""
    if request.method == "POST":
        charge, error = _decide(request, provider, charge)
        if not error:
            return redirect(charge.return_url)
    status = 409 if error else 200
    return render(
        request, "payments/sandbox/card_challenge.html", _sandbox_context(charge, provider, error), status=status
    )
