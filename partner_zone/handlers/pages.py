"""The partner zone's snippets on the home catalog's pages, registered with catalog.hooks at
start-up (the catalog never imports the partner zone): the zone entrances on the home page and the
partner strip under thin category and search results."""

from catalog import hooks

from .. import views

hooks.register(hooks.home_sections, views.home_entrances)
hooks.register(hooks.listing_supplements, views.partner_strip)
