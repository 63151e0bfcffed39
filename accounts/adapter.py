"""django-allauth's adapter for shoppers (settings.ACCOUNT_ADAPTER): phone numbers kept on the
shopper's profile and validated with `phonenumbers`, codes sent through the SMS backend
(accounts/sms.py) in the shopper's language, and staff kept out of the storefront's sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crossborder.errors import DomainError

from . import phones, services, sms
from .models import Profile


class PhoneField(forms.CharField):
    """A phone number as the shopper types it, cleaned to E.164 (a number without its country code is
    one of this platform's country)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
        kwargs.setdefault("label", gettext_lazy("Phone"))
        kwargs.setdefault("max_length", phones.MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return phones.normalise(value) if value else value


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        return PhoneField(**kwargs)

    def clean_phone(self, phone):
        return phones.normalise(phone)

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        sms.send_text(
            phone,
            _("%(platform)s: your verification code is %(code)s. It is valid for %(minutes)d minutes.")
            % {
                "platform": settings.PLATFORM_NAME,
                "code": code,
                "minutes": settings.ACCOUNT_PHONE_VERIFICATION_TIMEOUT // 60,
            },
        )

    def send_unknown_account_sms(self, phone, **kwargs):
        # Someone asked for a sign-in code for a number no account has: the page answered as for a
        # known one; the phone's owner is told, so nobody else learns whether the number is ours.
        sms.send_text(
            phone,
            _("%(platform)s: someone asked to sign in with this number, but no account has it. Sign up to create one.")
            % {"platform": settings.PLATFORM_NAME},
        )

    def send_account_already_exists_sms(self, phone):
        sms.send_text(
            phone,
            _(
                "%(platform)s: someone tried to sign up with this number, which already has an account. "
                "Sign in with a code sent to this phone instead."
            )
            % {"platform": settings.PLATFORM_NAME},
        )

    def set_phone(self, user, phone, verified):
        try:
            services.set_phone(user, phone, verified=verified)
        except DomainError as error:
            raise ValidationError(str(error.detail), code=error.code)

    def get_phone(self, user):
        profile = Profile.objects.filter(user_id=user.pk).first() if user.pk else None
        if profile is None or not profile.phone:
            return None
        return profile.phone, profile.phone_verified

    def set_phone_verified(self, user, phone):
        services.set_phone_verified(user, phone)

    def get_user_by_phone(self, phone):
        # The sign-in form hands the number as typed ("139 0013 9000", no country code): it is
        # looked up as stored, in E.164.
        try:
            phone = phones.normalise(phone)
        except ValidationError:
            return None
        return services.user_by_phone(phone)


def user_display(user):
    """How pages and messages name a shopper: their first name, else their e-mail address, else their
    phone number as people of its country write it."""
    if user.first_name:
        return user.first_name
    if user.email:
        return user.email
    profile = Profile.objects.filter(user_id=user.pk).first() if user.pk else None
    if profile and profile.phone:
        return phones.display(profile.phone)
    return user.get_username()
