from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Thread(models.Model):
    """A conversation between a shopper (or a service provider) and the platform about one return
    or one service ticket. Shoppers reach it through the token URL of what it is about."""

    subject = models.CharField(_("subject"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")

    def __str__(self):
        return self.subject


class Message(models.Model):
    class Author(models.TextChoices):
        SHOPPER = "shopper", _("shopper")
        STAFF = "staff", _("platform staff")
        PROVIDER = "provider", _("service provider")
        SYSTEM = "system", _("platform")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(_("from"), max_length=10, choices=Author.choices)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField(_("message"), max_length=4000)
    attachments = models.JSONField(default=list, blank=True, help_text=_("stored upload names"))
    created_at = models.DateTimeField(default=timezone.now)
    read_by_staff_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_author_display()}: {self.body[:40]}"
