"""A shopper's account beyond Django's user (django-allauth keeps the e-mail addresses): the phone
number and whether it is verified, and the addresses the shopper saved from checkout."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shopper_profile")
    # E.164 (+8613800138000): one account per number.
    phone = models.CharField(_("phone"), max_length=20, null=True, blank=True, unique=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    language = models.CharField(_("language"), max_length=16, blank=True, help_text=_("the shopper's, for e-mails"))

    class Meta:
        verbose_name = _("shopper profile")
        verbose_name_plural = _("shopper profiles")

    def __str__(self):
        return f"profile of user {self.user_id}"


class SavedAddress(models.Model):
    """An address as the checkout's address form took it: its cleaned fields, whatever they are
    (the checkout decides them; this keeps and gives back the same dict)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_addresses")
    label = models.CharField(_("label"), max_length=60, blank=True)
    fields = models.JSONField(_("address"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved address")
        verbose_name_plural = _("saved addresses")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.label or self.fields.get("name", "")
