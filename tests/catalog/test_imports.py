"""The spreadsheet import and export: a file is read in UTF-8 or GB18030 CSV or XLSX, every row is
checked before anything is written, a file with any problem changes nothing and says which row and
column, and an export imports back unchanged."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import imports, services
from catalog.errors import CatalogErrorCode
from catalog.models import Product, ProductVariant
from tests.partners import table_counts

from .factories import BABY_AND_TODDLER, NURSING_AND_FEEDING, make_merchant, make_product, money

pytestmark = pytest.mark.django_db


def row(**values):
    """One spreadsheet row: a valid variant of product BOTTLE unless told otherwise."""
    base = {
        "product_code": "BOTTLE",
        "sku": "BOTTLE-S",
        "category_id": str(NURSING_AND_FEEDING),
        "brand": "Acme",
        "hs_code": "392410",
        "country_of_origin": "CN",
        "weight_g": "250",
        "length_mm": "70",
        "width_mm": "70",
        "height_mm": "200",
        "original_language": "zh-hans",
        "status": "active",
        "title_zh-hans": "婴儿奶瓶",
        "description_zh-hans": "防胀气奶嘴",
        "title_en": "Baby bottle",
        "description_en": "Anti-colic teat",
        "size_en": "S",
        "colour_en": "blue",
        "price": "99.00",
        "currency": "CNY",
        "stock": "10",
    }
    return {**base, **values}


TWO_PRODUCTS = [
    row(sku="BOTTLE-S", size_en="S", price="99.00", stock="10"),
    row(sku="BOTTLE-L", size_en="L", price="129.50", stock="4"),
    row(
        product_code="SPOON",
        sku="SPOON-1",
        category_id=str(BABY_AND_TODDLER),
        **{"title_zh-hans": "婴儿勺", "description_zh-hans": "", "title_en": "Baby spoon", "description_en": ""},
        size_en="",
        colour_en="",
        price="19.90",
        stock="0",
        status="draft",
    ),
]


def csv_text(rows, columns=None):
    columns = columns or imports.COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return buffer.getvalue()


def csv_bytes(rows, columns=None, encoding="utf-8"):
    return csv_text(rows, columns).encode(encoding)


def xlsx_bytes(rows, columns=None):
    columns = columns or imports.COLUMNS
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for values in rows:
        sheet.append([values.get(column, "") for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def catalog_of(merchant):
    """Everything the import writes, comparable between two imports."""
    return {
        product.code: {
            "category": product.category_id,
            "brand": product.brand,
            "hs_code": product.hs_code,
            "origin": product.country_of_origin.code,
            "weight": product.weight_grams,
            "size_mm": (product.length_mm, product.width_mm, product.height_mm),
            "language": product.original_language,
            "status": product.status,
            "texts": sorted((text.language, text.title, text.description) for text in product.texts.all()),
            "variants": sorted(
                (variant.sku, tuple(sorted(variant.attributes.items())), variant.price, variant.stock)
                for variant in product.variants.all()
            ),
        }
        for product in Product.objects.filter(merchant=merchant).prefetch_related("texts", "variants")
    }


def errors_of(report):
    return [(error.row, error.field) for error in report.errors]


def test_a_two_language_utf8_csv_creates_products_with_both_texts_and_variants():
    merchant = make_merchant()

    report = imports.import_products(merchant, csv_bytes(TWO_PRODUCTS), filename="goods.csv")

    assert report.ok, report.errors
    assert (report.rows, report.products_created, report.products_updated) == (3, 2, 0)
    bottle = Product.objects.get(merchant=merchant, code="BOTTLE")
    assert sorted(bottle.texts.values_list("language", "title", "description")) == [
        ("en", "Baby bottle", "Anti-colic teat"),
        ("zh-hans", "婴儿奶瓶", "防胀气奶嘴"),
    ]
    assert [(v.sku, v.attributes, v.price, v.stock) for v in bottle.variants.all()] == [
        ("BOTTLE-S", {"size": {"en": "S"}, "colour": {"en": "blue"}}, money("99.00"), 10),
        ("BOTTLE-L", {"size": {"en": "L"}, "colour": {"en": "blue"}}, money("129.50"), 4),
    ]
    assert bottle.price == money("99.00")
    assert (bottle.hs_code, bottle.weight_grams, bottle.status) == ("392410", 250, Product.Status.ACTIVE)
    spoon = Product.objects.get(merchant=merchant, code="SPOON")
    assert spoon.status == Product.Status.DRAFT
    assert spoon.category_id == BABY_AND_TODDLER
    assert spoon.variants.get().attributes == {}


def test_the_same_file_saved_as_gb18030_imports_identically():
    utf8_merchant, gb_merchant = make_merchant(), make_merchant()
    imports.import_products(utf8_merchant, csv_bytes(TWO_PRODUCTS), filename="goods.csv")
    rows = [{**values, "sku": f"GB-{values['sku']}"} for values in TWO_PRODUCTS]
    data = csv_bytes(rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = imports.import_products(gb_merchant, data, filename="goods.csv")

    assert report.ok, report.errors
    gb_catalog = catalog_of(gb_merchant)
    for product in gb_catalog.values():
        product["variants"] = [(sku.removeprefix("GB-"), *rest) for sku, *rest in product["variants"]]
    assert gb_catalog == catalog_of(utf8_merchant)


def test_utf8_with_a_byte_order_mark_is_read():
    merchant = make_merchant()

    report = imports.import_products(merchant, csv_bytes(TWO_PRODUCTS, encoding="utf-8-sig"), filename="goods.csv")

    assert report.ok, report.errors
    assert report.products_created == 2
    assert Product.objects.get(merchant=merchant, code="BOTTLE").texts.get(language="zh-hans").title == "婴儿奶瓶"


def test_an_xlsx_workbook_with_numeric_cells_imports_like_the_csv():
    csv_merchant, xlsx_merchant = make_merchant(), make_merchant()
    imports.import_products(csv_merchant, csv_bytes(TWO_PRODUCTS), filename="goods.csv")
    numeric = [
        {
            **values,
            "sku": f"X-{values['sku']}",
            "category_id": int(values["category_id"]),
            "weight_g": 250.0,  # a float cell that is a whole number
            "price": float(values["price"]),
            "stock": int(values["stock"]),
        }
        for values in TWO_PRODUCTS
    ]

    report = imports.import_products(xlsx_merchant, xlsx_bytes(numeric), filename="Goods.XLSX")

    assert report.ok, report.errors
    xlsx_catalog = catalog_of(xlsx_merchant)
    for product in xlsx_catalog.values():
        product["variants"] = [(sku.removeprefix("X-"), *rest) for sku, *rest in product["variants"]]
    assert xlsx_catalog == catalog_of(csv_merchant)
    assert ProductVariant.objects.get(sku="X-BOTTLE-L").price.amount == Decimal("129.50")


def test_reimport_updates_prices_and_stock_without_duplicating():
    merchant = make_merchant()
    imports.import_products(merchant, csv_bytes(TWO_PRODUCTS), filename="goods.csv")
    changed = [
        {**TWO_PRODUCTS[0], "price": "89.00", "stock": "7"},
        {**TWO_PRODUCTS[1], "price": "119.00", "stock": "0"},
        TWO_PRODUCTS[2],
    ]

    report = imports.import_products(merchant, csv_bytes(changed), filename="goods.csv")

    assert report.ok, report.errors
    assert (report.products_created, report.products_updated) == (0, 2)
    assert Product.objects.filter(merchant=merchant).count() == 2
    bottle = Product.objects.get(merchant=merchant, code="BOTTLE")
    assert [(v.sku, v.price, v.stock) for v in bottle.variants.all()] == [
        ("BOTTLE-S", money("89.00"), 7),
        ("BOTTLE-L", money("119.00"), 0),
    ]
    assert bottle.price == money("89.00")


def test_a_variant_missing_from_the_file_is_left_as_it_was():
    merchant = make_merchant()
    imports.import_products(merchant, csv_bytes(TWO_PRODUCTS), filename="goods.csv")

    report = imports.import_products(merchant, csv_bytes([{**TWO_PRODUCTS[0], "stock": "3"}]), filename="goods.csv")

    assert report.ok, report.errors
    large = ProductVariant.objects.get(sku="BOTTLE-L")
    assert (large.is_active, large.stock, large.price) == (True, 4, money("129.50"))
    assert ProductVariant.objects.get(sku="BOTTLE-S").stock == 3


@pytest.mark.parametrize("fmt", imports.FORMATS)
def test_export_then_reimport_round_trips_unchanged(fmt):
    merchant = make_merchant()
    imports.import_products(merchant, csv_bytes(TWO_PRODUCTS), filename="goods.csv")
    make_product(merchant, code="FACTORY", price="12.34", titles={"zh-hans": "杯子", "en": "Cup", "ja": "カップ"})
    before = catalog_of(merchant)

    content, content_type, filename = imports.export_products(merchant, fmt)
    report = imports.import_products(merchant, content, filename=filename)

    assert filename.endswith(f".{fmt}")
    assert content_type == imports.CONTENT_TYPES[fmt]
    assert report.ok, report.errors
    assert (report.rows, report.products_created, report.products_updated) == (4, 0, 3)
    assert catalog_of(merchant) == before


def test_the_export_leaves_out_archived_products_and_other_merchants():
    merchant = make_merchant()
    make_product(merchant, code="KEPT", skus=["KEPT-1"])
    services.archive_product(merchant=merchant, product=make_product(merchant, code="GONE", skus=["GONE-1"]))
    make_product(code="OTHER", skus=["OTHER-1"])

    content, _type, _name = imports.export_products(merchant, "csv")

    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [(r["product_code"], r["sku"]) for r in rows] == [("KEPT", "KEPT-1")]
    assert list(rows[0]) == imports.COLUMNS


@pytest.mark.parametrize("fmt", imports.FORMATS)
def test_the_template_has_the_header_and_one_example_row_that_imports(fmt):
    content, content_type, filename = imports.template_file(fmt)

    report = imports.import_products(make_merchant(), content, filename=filename)

    assert report.ok, report.errors
    assert (report.rows, report.products_created) == (1, 1)


def test_one_bad_row_imports_nothing_and_names_its_row_and_column():
    merchant = make_merchant()
    rows = [row(sku="OK-1"), row(sku="OK-2"), row(sku="BAD", price="-5")]
    before = table_counts()

    report = imports.import_products(merchant, csv_bytes(rows), filename="goods.csv")

    assert not report.ok
    assert errors_of(report) == [(4, "price")]
    assert "-5" in report.errors[0].message and "more than" in report.errors[0].message
    assert (report.products_created, report.products_updated) == (0, 0)
    assert table_counts() == before


def test_every_bad_row_is_reported_not_just_the_first():
    merchant = make_merchant()
    rows = [
        row(product_code="A", sku="A-1"),
        row(product_code="B", sku="B-1", hs_code="3924"),
        row(product_code="C", sku="C-1", currency="XYZ"),
        row(product_code="D", sku="D-1", currency="USD"),
        row(product_code="E", sku="E-1", price="0"),
        row(product_code="F", sku="F-1", category_id="999999999"),
        row(product_code="G", sku="G-1", stock="ten"),
        row(product_code="H", sku="H-1", **{"title_zh-hans": ""}),
        row(product_code="I", sku="I-1", price="9.999", weight_g="0", country_of_origin="XX", status="sold"),
        row(product_code="J", sku="J-1", original_language="klingon"),
    ]
    before = table_counts()

    report = imports.import_products(merchant, csv_bytes(rows), filename="goods.csv")

    assert errors_of(report) == [
        (3, "hs_code"),
        (4, "currency"),
        (5, "currency"),
        (6, "price"),
        (7, "category_id"),
        (8, "stock"),
        (9, "title_zh-hans"),
        (10, "country_of_origin"),
        (10, "weight_g"),
        (10, "status"),
        (10, "price"),
        (11, "original_language"),
    ]
    messages = {(error.row, error.field): error.message for error in report.errors}
    assert "3924" in messages[(3, "hs_code")] and "6 digits" in messages[(3, "hs_code")]
    assert "XYZ" in messages[(4, "currency")] and "not a currency" in messages[(4, "currency")]
    assert "USD" in messages[(5, "currency")] and "CNY" in messages[(5, "currency")]
    assert messages[(4, "currency")] != messages[(5, "currency")].replace("USD", "XYZ")
    assert "999999999" in messages[(7, "category_id")]
    assert "ten" in messages[(8, "stock")]
    assert "2 decimal" in messages[(10, "price")]
    assert table_counts() == before


def test_row_numbers_count_blank_rows_as_the_spreadsheet_shows_them():
    text = csv_text([row(sku="A-1")]) + ",,,\r\n\r\n" + csv_text([row(sku="A-2", price="x")]).split("\r\n", 1)[1]

    report = imports.import_products(make_merchant(), text.encode(), filename="goods.csv")

    assert report.rows == 2
    assert errors_of(report) == [(5, "price")]


def test_a_csv_separated_by_semicolons_is_read():
    data = csv_text([row()]).replace(",", ";").encode()

    report = imports.import_products(make_merchant(), data, filename="goods.csv")

    assert report.ok, report.errors
    assert report.products_created == 1


def test_headers_match_whatever_their_case_and_spacing():
    columns = [f"  {column.upper()} " for column in imports.COLUMNS]
    data = csv_bytes([], columns=columns) + csv_bytes([row()]).split(b"\r\n", 1)[1]

    report = imports.import_products(make_merchant(), data, filename="goods.csv")

    assert report.ok, report.errors
    assert report.products_created == 1


def test_continuation_rows_may_leave_product_columns_blank():
    merchant = make_merchant()
    blank_product_cells = dict.fromkeys(imports.PRODUCT_COLUMNS[1:], "")
    blank_product_cells.update({"title_zh-hans": "", "title_en": "", "description_zh-hans": "", "description_en": ""})
    rows = [row(sku="B-1"), row(sku="B-2", **blank_product_cells)]

    report = imports.import_products(merchant, csv_bytes(rows), filename="goods.csv")

    assert report.ok, report.errors
    assert Product.objects.get(merchant=merchant, code="BOTTLE").variants.count() == 2


def test_conflicting_product_level_values_across_rows_of_one_product_are_reported():
    merchant = make_merchant()
    rows = [
        row(sku="B-1"),
        row(sku="B-2", brand="Other brand"),
        row(sku="B-3", hs_code="392490", **{"title_en": "Another title"}),
    ]
    before = table_counts()

    report = imports.import_products(merchant, csv_bytes(rows), filename="goods.csv")

    assert errors_of(report) == [(3, "brand"), (4, "hs_code"), (4, "title_en")]
    assert "row 2" in report.errors[0].message and "Other brand" in report.errors[0].message
    assert table_counts() == before


def test_the_same_sku_twice_in_a_file_is_reported_on_the_second_row():
    report = imports.import_products(make_merchant(), csv_bytes([row(), row()]), filename="goods.csv")

    assert errors_of(report) == [(3, "sku")]
    assert "row 2" in report.errors[0].message


def test_another_merchants_sku_is_refused_and_their_product_untouched():
    owner, intruder = make_merchant(), make_merchant()
    theirs = make_product(owner, code="THEIRS", skus=["SHARED-1"], price="50.00", stock=5)
    before = (catalog_of(owner), table_counts())

    report = imports.import_products(
        intruder,
        csv_bytes([row(product_code="MINE", sku="MINE-1"), row(product_code="THEIRS", sku="SHARED-1", price="1.00")]),
        filename="goods.csv",
    )

    assert errors_of(report) == [(3, "sku")]
    assert report.errors[0].message.startswith("SKU SHARED-1 belongs to another merchant")
    assert (catalog_of(owner), table_counts()) == before
    theirs.refresh_from_db()
    assert theirs.price == money("50.00")


def test_a_sku_of_another_of_the_merchants_own_products_is_refused():
    merchant = make_merchant()
    make_product(merchant, code="FIRST", skus=["MOVING-1"])

    report = imports.import_products(merchant, csv_bytes([row(sku="MOVING-1")]), filename="goods.csv")

    assert errors_of(report) == [(2, "sku")]
    assert "FIRST" in report.errors[0].message


def test_a_refusal_by_the_service_rolls_back_the_products_already_saved(monkeypatch):
    merchant = make_merchant()
    real_save = services.save_product

    def refuse_spoons(*, merchant, data, product=None, replace_variants=False):
        if data.code == "SPOON":
            raise services.CatalogError(CatalogErrorCode.INVALID, "Spoons are not allowed.", field="hs_code")
        return real_save(merchant=merchant, data=data, product=product, replace_variants=replace_variants)

    monkeypatch.setattr(services, "save_product", refuse_spoons)
    before = table_counts()

    report = imports.import_products(merchant, csv_bytes(TWO_PRODUCTS), filename="goods.csv")

    assert errors_of(report) == [(4, "hs_code")]
    assert report.errors[0].message == "Spoons are not allowed."
    assert (report.products_created, report.products_updated) == (0, 0)
    assert table_counts() == before


def _oversize(settings):
    settings.CATALOG_MAX_IMPORT_BYTES = 100
    return csv_bytes(TWO_PRODUCTS), "goods.csv"


def _too_many_rows(settings):
    settings.CATALOG_MAX_IMPORT_ROWS = 2
    return csv_bytes(TWO_PRODUCTS), "goods.csv"


@pytest.mark.parametrize(
    ("make_file", "named"),
    [
        (lambda s: (csv_bytes([row()], columns=[*imports.COLUMNS, "discount"]), "goods.csv"), "discount"),
        (
            lambda s: (csv_bytes([row()], columns=[c for c in imports.COLUMNS if c != "price"]), "goods.csv"),
            "price",
        ),
        (lambda s: (csv_bytes([row()]), "goods.ods"), ".csv or .xlsx"),
        (lambda s: (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x08\xff\xfe\x00", "goods.csv"), "UTF-8"),
        (lambda s: (b"name\x00,price\n", "goods.csv"), "binary"),
        (lambda s: (xlsx_bytes([row()]), "goods.csv"), ".xlsx"),
        (lambda s: (b"not a workbook", "goods.xlsx"), "XLSX"),
        (lambda s: (b"", "goods.csv"), "header"),
        (_oversize, "KB"),
        (_too_many_rows, "3 rows"),
    ],
    ids=[
        "unknown-column",
        "missing-column",
        "unknown-extension",
        "undecodable",
        "binary",
        "xlsx-named-csv",
        "broken-xlsx",
        "empty",
        "oversize",
        "too-many-rows",
    ],
)
def test_file_level_problems_raise_import_file_invalid_and_write_nothing(settings, make_file, named):
    merchant = make_merchant()
    data, filename = make_file(settings)
    before = table_counts()

    with pytest.raises(services.CatalogError) as refused:
        imports.import_products(merchant, data, filename=filename)

    assert (refused.value.code, refused.value.field) == (CatalogErrorCode.IMPORT_FILE_INVALID, "file")
    assert named in str(refused.value.detail)
    assert table_counts() == before


def test_an_undecodable_file_names_both_encodings():
    with pytest.raises(services.CatalogError) as refused:
        imports.import_products(make_merchant(), b"product_code\n\xff\xff\xff\n", filename="goods.csv")
    assert "UTF-8" in refused.value.detail and "GB18030" in refused.value.detail


def test_validating_a_file_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    merchant = make_merchant()
    make_product(merchant, code="P0", skus=["P0-1"])

    def file_of(size):
        rows = [row(product_code=f"P{n // 2}", sku=f"P{n // 2}-{n % 2}") for n in range(size)]
        rows[size - 13] = {**rows[size - 13], "price": "-1"}
        return csv_bytes(rows)

    with CaptureQueriesContext(connection) as small:
        imports.import_products(merchant, file_of(14), filename="goods.csv")
    with django_assert_max_num_queries(5) as large:
        report = imports.import_products(merchant, file_of(50), filename="goods.csv")

    assert errors_of(report) == [(39, "price")]
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_import_command_prints_the_counts(tmp_path):
    merchant = make_merchant()
    path = tmp_path / "goods.csv"
    path.write_bytes(csv_bytes(TWO_PRODUCTS))
    out = io.StringIO()

    call_command("import_products", "--merchant", merchant.slug, str(path), stdout=out)

    assert "2 product(s) created, 0 updated" in out.getvalue()
    assert Product.objects.filter(merchant=merchant).count() == 2


def test_the_import_command_lists_each_problem_and_fails(tmp_path):
    merchant = make_merchant()
    path = tmp_path / "goods.csv"
    path.write_bytes(csv_bytes([row(sku="A"), row(sku="B", price="-5", stock="x")]))
    out = io.StringIO()

    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_products", "--merchant", merchant.slug, str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("row 3, price: -5 is not more than zero")
    assert lines[1].startswith("row 3, stock: x is not a whole number")
    assert not Product.objects.filter(merchant=merchant).exists()


def test_the_import_command_refuses_a_bad_file_and_an_unknown_merchant(tmp_path):
    merchant = make_merchant()
    path = tmp_path / "goods.txt"
    path.write_bytes(b"x")
    with pytest.raises(CommandError, match="CSV or XLSX"):
        call_command("import_products", "--merchant", merchant.slug, str(path))
    with pytest.raises(CommandError, match="no merchant"):
        call_command("import_products", "--merchant", "nobody", str(path))


@pytest.mark.parametrize("fmt", imports.FORMATS)
def test_the_export_command_writes_a_file_that_imports_back(tmp_path, fmt):
    merchant = make_merchant()
    imports.import_products(merchant, csv_bytes(TWO_PRODUCTS), filename="goods.csv")
    before = catalog_of(merchant)
    path = tmp_path / f"out.{fmt}"

    call_command("export_products", "--merchant", merchant.slug, "--format", fmt, "-o", str(path), stdout=io.StringIO())
    report = imports.import_products(merchant, path.read_bytes(), filename=path.name)

    assert report.ok, report.errors
    assert (report.rows, report.products_updated) == (3, 2)
    assert catalog_of(merchant) == before


def test_an_unknown_category_is_reported_in_the_same_pass_as_the_other_errors_of_its_row_and_file():
    """Issue 17: an unknown category used to show only on a second upload, once the row's other
    errors were fixed. Every error of every row comes back at once, and nothing is written."""
    merchant = make_merchant()
    rows = [
        row(product_code="A", sku="A-1", category_id="999999999", hs_code="12AB", weight_g="heavy"),
        row(product_code="B", sku="B-1", category_id="424242"),
        row(product_code="C", sku="C-1", price="-3", **{"size_en": "x" * 41}),
        row(product_code="D", sku="D-1", sku_weight_g="0"),
    ]

    report = imports.import_products(merchant, csv_bytes(rows), filename="goods.csv")

    found = {(error.row, error.field) for error in report.errors}
    assert {
        (2, "category_id"),
        (2, "hs_code"),
        (2, "weight_g"),
        (3, "category_id"),
        (4, "price"),
        (4, "size_en"),
        (5, "sku_weight_g"),
    } <= found
    assert not Product.objects.filter(merchant=merchant).exists()


def test_attributes_per_language_and_a_skus_own_weight_import_and_export_back_unchanged():
    merchant = make_merchant()
    rows = [
        row(sku="TENT-2P", **{"size_en": "2-person", "size_zh-hans": "双人", "colour_en": "Sand"}, sku_weight_g="2100"),
        row(sku="TENT-1P", **{"size_en": "1-person", "colour_en": ""}),
    ]

    report = imports.import_products(merchant, csv_bytes(rows), filename="tents.csv")

    assert report.ok, report.errors
    two = ProductVariant.objects.get(sku="TENT-2P")
    assert two.attributes == {"size": {"en": "2-person", "zh-hans": "双人"}, "colour": {"en": "Sand"}}
    assert (two.weight_grams, ProductVariant.objects.get(sku="TENT-1P").weight_grams) == (2100, None)
    content, _type, _name = imports.export_products(merchant, "csv")
    again = imports.import_products(merchant, content, filename="again.csv")
    assert again.ok and again.products_updated == 1
    two.refresh_from_db()
    assert two.attributes == {"size": {"en": "2-person", "zh-hans": "双人"}, "colour": {"en": "Sand"}}


def test_the_former_size_and_colour_columns_are_read_in_the_products_original_language():
    merchant = make_merchant()
    columns = [column for column in imports.COLUMNS if not column.startswith(("size_", "colour_"))]
    rows = [{**row(sku="CUP-1"), "size": "大号", "colour": "薄荷绿"}]

    report = imports.import_products(merchant, csv_bytes(rows, [*columns, "size", "colour"]), filename="old.csv")

    assert report.ok, report.errors
    assert ProductVariant.objects.get(sku="CUP-1").attributes == {
        "size": {"zh-hans": "大号"},
        "colour": {"zh-hans": "薄荷绿"},
    }
