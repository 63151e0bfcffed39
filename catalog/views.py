"""Storefront pages: home, category listings, product pages and search."""

from django.shortcuts import render

from crossborder import selectors as platform_selectors


def home(request):
    return render(request, "storefront/home.html", {"partnerships": platform_selectors.live_partnerships()})
