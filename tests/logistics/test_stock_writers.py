"""Nothing but the stock service writes stock (ADR 0016), and nothing but the partner zone's sync
writes a partner listing's stock figures. An import contract cannot say who writes a table (it
sees modules, not calls), so this reads the apps' syntax trees: a stock row created, or a count of
StockLevel, StockMovement, Reservation or StockLot, or the storefront's available figure
(ProductVariant.stock), set anywhere but logistics/services/stock.py fails the suite with the file
and line. Migrations are exempt (they run once, in order)."""

import ast

from tests.source_rules import ROOT, call_name, findings, literal_strings, manager_model, parse

STOCK_SERVICE = "logistics/services/stock.py"
STOCK_MODELS = {"StockLevel", "StockMovement", "StockLot", "Reservation"}
CREATES = {"create", "bulk_create", "get_or_create", "update_or_create"}
COUNTS = {"on_hand", "reserved", "picked", "remaining"}
# A partner listing's stock figures: the direct-sale units its feed states, the consignment units
# it shows. The sync writes them from the feed; its stock bridge from holds and receipts.
LISTING_FIGURES = {"direct_stock", "local_stock"}
LISTING_WRITERS = {
    "partner_zone/services/sync/writer.py",
    "partner_zone/services/sync/stock.py",
    "catalog/services.py",  # the exporter's own offer (ExportOffer.direct_stock), not a listing
    "catalog/forms.py",  # ...and the merchant's form for it
}


def _assigned_attributes(node):
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        for element in target.elts if isinstance(target, ast.Tuple) else [target]:
            if isinstance(element, ast.Attribute):
                yield element.attr


def writes_of(tree, fields):
    """(node, what) for each write of one of `fields` in `tree`: an attribute set or incremented, an
    UPDATE's keyword, a bulk_update's or save(update_fields=)'s field names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign):
            for attribute in _assigned_attributes(node):
                if attribute in fields:
                    yield node, f"sets .{attribute}"
        name = call_name(node)
        if name == "update":
            for keyword in node.keywords:
                if keyword.arg in fields:
                    yield node, f"UPDATE sets {keyword.arg}"
        elif name == "bulk_update" and len(node.args) > 1 and literal_strings(node.args[1]) & fields:
            yield node, f"bulk_update of {sorted(literal_strings(node.args[1]) & fields)}"
        elif name == "save":
            for keyword in node.keywords:
                if keyword.arg == "update_fields" and literal_strings(keyword.value) & fields:
                    yield node, f"save of {sorted(literal_strings(keyword.value) & fields)}"


def stock_writes(tree):
    """(node, what) for each stock write in `tree`: stock rows created, counts or the catalog's
    available figure set."""
    for node in ast.walk(tree):
        if call_name(node) in CREATES and manager_model(node) in STOCK_MODELS:
            yield node, f"{manager_model(node)}.objects.{call_name(node)}"
    yield from writes_of(tree, COUNTS | {"stock"})


def listing_figure_writes(tree):
    yield from writes_of(tree, LISTING_FIGURES)


def test_only_the_stock_service_writes_stock_counts():
    found = findings(stock_writes, exempt={STOCK_SERVICE})
    assert found == [], "stock is written only by the stock service:\n" + "\n".join(map(str, found))


def test_only_the_partner_zones_sync_writes_a_listings_stock_figures():
    found = findings(listing_figure_writes, exempt=LISTING_WRITERS)
    assert found == [], "listing stock figures are written only by the sync:\n" + "\n".join(map(str, found))


def test_the_check_sees_the_writes_it_forbids_and_names_their_line():
    for write in [
        'StockLevel.objects.filter(pk=1).update(\n    on_hand=F("on_hand") - 1,\n)',
        "StockMovement.objects.create(stock=level, kind='received')",
        "Reservation.objects.bulk_create(rows)",
        "ProductVariant.objects.filter(sku=sku).update(stock=5)",
        "level.reserved += 2",
        "level.on_hand, level.picked = 3, 0",
        'StockLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - 1)',
        'level.save(update_fields=["reserved"])',
        'StockLevel.objects.bulk_update(levels, ["on_hand"])',
    ]:
        assert list(stock_writes(parse(write))), write
    for read in [
        "level.on_hand == 3",
        'queryset.exclude(on_hand=F("expected_on_hand"))',
        "StockLevel.objects.filter(on_hand__gt=0)",
        "stock = level.sellable",
        'PartnerListing.objects.filter(pk=1).update(direct_stock=F("direct_stock") + 1)',
    ]:
        assert list(stock_writes(parse(read))) == [], read
    assert list(listing_figure_writes(parse('PartnerListing.objects.filter(pk=1).update(direct_stock=F("x") + 1)')))
    (node, _what), *_rest = stock_writes(parse("x = 1\n\nlevel.reserved -= 1\n"))
    assert node.lineno == 3
    assert list(stock_writes(parse((ROOT / STOCK_SERVICE).read_text())))
