"""Payment providers' webhook endpoints: outside the language prefixes, called by providers."""

from django.urls import path

from . import webhooks

app_name = "payment_webhooks"

urlpatterns = [
    path("<code:provider>/", webhooks.receive_webhook, name="receive"),
]
