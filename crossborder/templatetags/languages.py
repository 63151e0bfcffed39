"""The storefront's language switcher: one link per language to this same page in that language.

Links rather than a form posting to set_language: the language lives in the URL (the default one
has no prefix), so a link is all a switch needs, it works without JavaScript, and the page carries
nothing per visitor (no CSRF token), which lets shoppers' pages be cached whole."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_info, override

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_links(context):
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(here, code)
        if url == here and code != current:
            # A page that does not resolve (a 404) in another language: that language's home.
            with override(code):
                url = reverse("catalog:home")
        links.append(LanguageLink(code, get_language_info(code)["name_local"], url, code == current))
    return links
