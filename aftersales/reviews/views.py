"""The shopper's review pages and the review snippets of the product and order pages (subscribed
to the earlier apps' hooks in aftersales/handlers/reviews.py). Thin: rules in services, reads in
selectors."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from ..models import ProductReview
from . import selectors, services
from .forms import ReviewForm


def _initial_language():
    codes = {code for code, _name in settings.LANGUAGES}
    language = get_language()
    return language if language in codes else settings.LANGUAGE_CODE


@require_http_methods(["GET", "POST"])
def write(request, order_token, line_number):
    """The review form of one line of an order, for whoever holds the order's token (its buyer)."""
    try:
        line = services.buyers_line(order_token=order_token, line_number=line_number, user=request.user)
    except services.ReviewError as error:
        if error.code == services.Code.NOT_BUYER:
            raise Http404("No such order line") from None
        return render(request, "aftersales/review_refused.html", {"error": error.detail}, status=error.status)
    existing = ProductReview.objects.filter(order_line=line).only("token").first()
    if existing is not None:
        return redirect("reviews:review", token=existing.token)
    form = ReviewForm(request.POST or None, request.FILES or None, initial={"language": _initial_language()})
    if request.method == "POST" and form.is_valid():
        try:
            review = services.write_review(
                order_token=order_token,
                line_number=line_number,
                data=form.review_input(),
                user=request.user,
            )
        except services.ReviewError as error:
            form.show_refusal(error)
        else:
            return redirect("reviews:review", token=review.token)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "aftersales/review_form.html", {"form": form, "line": line, "order": line.order}, status=status
    )


@require_http_methods(["GET", "POST"])
def review_page(request, token):
    """One review as its author sees it (with its moderation here), editable within the window."""
    review = (
        ProductReview.objects.filter(token=token, origin=settings.PLATFORM_CODE)
        .select_related("order_line__order")
        .first()
    )
    if review is None:
        raise Http404("No such review")
    editable = review.withdrawn_at is None and timezone.now() <= review.written_at + services.edit_window()
    form = None
    if editable:
        initial = {name: getattr(review, name) for name in ("rating", "title", "text", "author_name", "language")}
        form = ReviewForm(request.POST or None, initial=initial, with_photos=False)
    if request.method == "POST":
        if form is None:
            return render(
                request, "aftersales/review.html", {"review": review, "form": None, "closed": True}, status=409
            )
        if form.is_valid():
            try:
                services.edit_review(review=review, data=form.review_input())
            except services.ReviewError as error:
                form.show_refusal(error)
            else:
                return redirect("reviews:review", token=review.token)
    review.photo_links = selectors.photo_links(review)
    status = 400 if request.method == "POST" else 200
    context = {"review": review, "form": form, "edit_until": review.written_at + services.edit_window()}
    return render(request, "aftersales/review.html", context, status=status)


# --- snippets on earlier apps' pages -----------------------------------------------------------------


def _panel(panel):
    return [{"template": "aftersales/_review_panel.html", "context": {"panel": panel}}]


def product_review_panel(request, product):
    """catalog.hooks.product_sections: the reviews of one of our products."""
    return _panel(selectors.review_panel(product=product))


def listing_review_panel(request, listing):
    """partner_zone.hooks.listing_sections: the reviews of a partner's product in its zone."""
    return _panel(selectors.review_panel(listing=listing))


def order_review_links(request, order, lines):
    """payments.hooks.order_sections: review each line that arrived, or read its review."""
    rows = selectors.order_line_reviews(order, lines)
    if not rows:
        return []
    return [{"template": "aftersales/_order_reviews.html", "context": {"rows": rows, "order": order}}]
