"""Partner titles and texts arrive without bidi overrides or other invisible format characters
(issue 13, Low): a title with U+202E could show "gpj.exe" as "exe.jpg", or another price or name."""

import pytest

from crossborder.display_text import without_format_controls
from partner_zone.models import PartnerListing
from partner_zone.services import sync
from tests.partner_zone.factories import feed_item, make_partnership

pytestmark = pytest.mark.django_db

RLO, PDF, LRI, PDI, ZWSP, BOM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200b", "\ufeff"


def test_a_partner_title_with_a_right_to_left_override_is_stored_without_it():
    partnership = make_partnership()
    item = feed_item(
        brand=f"Ac{ZWSP}me",
        merchant={"code": "trailhead", "name": f"Trail{RLO}daeh{PDF}"},
        texts={
            "en": {"title": f"Baby bottle {RLO}gpj.exe{PDF}", "description": f"BPA{LRI} free{PDI}\nsafe"},
            "zh-hans": {"title": f"{BOM}婴儿奶瓶", "description": ""},
        },
        variants=[{"sku": "US-1", "attributes": {"size": f"250{RLO}ml"}, "is_active": True}],
    )

    sync.apply_page(partnership, [item])

    listing = PartnerListing.objects.get(reference=item["id"])
    assert listing.texts["en"] == {"title": "Baby bottle gpj.exe", "description": "BPA free\nsafe"}
    assert listing.texts["zh-hans"]["title"] == "婴儿奶瓶"
    assert (listing.brand, listing.merchant_name) == ("Acme", "Traildaeh")  # shown as its characters are
    assert listing.variants[0]["attributes"] == {"size": {"en": "250ml"}}  # the former shape, read as English
    stored = repr((listing.title, listing.texts, listing.brand, listing.merchant_name, listing.variants))
    assert not any(character in stored for character in (RLO, PDF, LRI, PDI, ZWSP, BOM))


def test_only_invisible_controls_go_and_joiners_newlines_and_scripts_stay():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # an emoji family: joined by ZWJ
    text = f"מחיר {family} 价格\u200c\r\nline\ttab\x00\x1b[31m"
    assert without_format_controls(text) == f"מחיר {family} 价格\u200c\r\nline\ttab[31m"
    assert without_format_controls("plain ASCII, unchanged") == "plain ASCII, unchanged"
    for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2060, 0xFEFF]:
        assert without_format_controls(f"a{chr(code)}b") == "ab", hex(code)
