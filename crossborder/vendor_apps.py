"""The third-party apps ops meet in the admin, named in the staff's language. Their own app configs
are kept (ready() and all); only the name the admin shows changes. The models' and columns' texts
of django-axes are lazy translations, so the project's catalog gives them here as well (below)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpDefaultConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")


class TotpConfig(TotpDefaultConfig):
    verbose_name = _("Two-factor authenticators")


class StaticConfig(StaticDefaultConfig):
    verbose_name = _("Two-factor backup codes")


# django-axes' texts (it ships no Chinese or Japanese): listed so that the catalog carries them.
AXES_TEXTS = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("User Agent"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Access lock out"),
    gettext_noop("Locked Out"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
)
