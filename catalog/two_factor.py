"""Two-factor sign-in of a merchant's owners and finance staff (django-otp): an authenticator app
(TOTP), enrolled by scanning a QR code drawn as inline SVG, and ten one-time backup codes.

Wrong codes are throttled by django-otp's counter on the TOTP device, kept in the database so
every process sees it: after the n-th wrong code in a row the next is refused for
OTP_TOTP_THROTTLE_FACTOR x 2^(n-1) seconds (backup codes included: a wrong code counts once)."""

import base64
import binascii
import secrets

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import CatalogErrorCode as Code
from .services import CatalogError

DEVICE_NAME = "merchant area"
BACKUP_CODES = 10


def totp_device(user, *, confirmed=True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def is_enrolled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user):
    """The authenticator being enrolled (made once, kept until confirmed), so reloading the page
    shows the same QR code."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device):
    """The key in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(binascii.unhexlify(device.key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device):
    """The enrolment link as an SVG QR code (markup to put inline in the page; no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def _clean(code):
    return "".join((code or "").split())


def _refuse_while_throttled(device):
    allowed, info = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int(((info or {}).get("locked_until", timezone.now()) - timezone.now()).total_seconds()) + 1)
        raise CatalogError(
            Code.TOO_MANY_CODES,
            _("Too many wrong codes: wait %(seconds)s seconds, then try again.") % {"seconds": wait},
            field="code",
        )


def confirm_enrolment(request, *, code):
    """Confirm the pending authenticator with a code it shows, make the backup codes and mark this
    session verified. Returns the backup codes (shown once). The check is outside the transaction
    so that a wrong code's count is kept."""
    device = totp_device(request.user, confirmed=False)
    if device is None:
        raise CatalogError(Code.INVALID, _("Start the enrolment again."), field="code")
    _refuse_while_throttled(device)
    if not device.verify_token(_clean(code)):
        raise CatalogError(
            Code.WRONG_CODE, _("That code is not right; enter the code your app shows now."), field="code"
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        StaticDevice.objects.filter(user=request.user).delete()
        backup = StaticDevice.objects.create(user=request.user, name=DEVICE_NAME)
        codes = [secrets.token_hex(4) for _i in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    otp_login(request, device)
    return codes


def verify(request, *, code):
    """Check a code from the authenticator, or one backup code (used up), and mark this session
    verified. A wrong one is counted (see the module's note) and refused."""
    device = totp_device(request.user)
    if device is None:
        raise CatalogError(Code.INVALID, _("Set up two-factor sign-in first."), field="code")
    _refuse_while_throttled(device)
    code = _clean(code)
    if device.verify_token(code):
        otp_login(request, device)
        return device
    backup = StaticDevice.objects.filter(user=request.user).first()
    if backup is not None and backup.verify_token(code):
        device.throttle_reset()
        otp_login(request, backup)
        return backup
    raise CatalogError(Code.WRONG_CODE, _("That code is not right."), field="code")


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user).count()


def reset(user):
    """Forget a member's authenticator and backup codes (a lost phone), at ops' request: the next
    page that needs the second factor asks the member to enrol again. Refused when there is nothing
    to reset."""
    with transaction.atomic():
        removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
        backup, _by_model = StaticDevice.objects.filter(user=user).delete()
        if not removed and not backup:
            raise CatalogError(Code.INVALID, _("%(user)s has no two-factor sign-in to reset.") % {"user": user})
    return removed + backup
