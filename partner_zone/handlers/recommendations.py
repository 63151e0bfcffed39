"""Shoppers' history: merged into the user at login, and recorded from the home catalog's pages.

The catalog cannot import the partner zone (the layers point the other way), so its product and
search views fire the `product_viewed` / `searched` hooks of catalog/hooks.py; this module
subscribes the history's recorders to them."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from catalog import hooks as catalog_hooks
from partner_zone.services import recommendations


@receiver(user_logged_in, dispatch_uid="partner_zone.merge_history_at_login")
def merge_history_at_login(sender, request, user, **kwargs):
    # The history id is in its own cookie (or, for older histories, the session data, which login keeps).
    if request is None:
        return
    recommendations.merge_history_into_user(history_id=recommendations.history_id_of(request), user=user)


def product_viewed(request, product):
    recommendations.record_view(request, product=product)


def searched(request, query):
    recommendations.record_search(request, query)


def home_section(request):
    """A home-page snippet (catalog.hooks.home_sections): recommendations from the shopper's
    history, popular partner goods at cold start."""
    from partner_zone.templatetags.recommendations import recommendation_block

    block = recommendation_block(request, "all")
    return [{"template": "partner_zone/_recommendations.html", "context": block}] if block["items"] else []


def product_section(request, product):
    """Partner goods similar to what the shopper viewed, under a home product page."""
    from partner_zone.templatetags.recommendations import recommendation_block

    block = recommendation_block(request, "similar")
    return [{"template": "partner_zone/_recommendations.html", "context": block}] if block["items"] else []


# Record the home catalog's product views and searches, and show recommendations on its home and
# product pages.
catalog_hooks.product_viewed.subscribe(product_viewed)
catalog_hooks.searched.subscribe(searched)
catalog_hooks.home_sections.subscribe(home_section)
catalog_hooks.product_sections.subscribe(product_section)
