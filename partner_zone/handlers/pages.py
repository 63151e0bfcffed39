"""The partner zone's snippets on the home catalog's pages, subscribed to catalog.hooks at
start-up (the catalog never imports the partner zone): the zone entrances on the home page and the
partner strip under thin category and search results."""

from catalog import hooks

from .. import views

hooks.home_sections.subscribe(views.home_entrances)
hooks.listing_supplements.subscribe(views.partner_strip)
