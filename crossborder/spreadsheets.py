"""Spreadsheets the platform writes (CSV and XLSX), safe to open in Excel, LibreOffice or Sheets.

A text cell that starts with = + - @, a tab or a carriage return is run as a formula by a
spreadsheet (formula or DDE injection): shoppers' names, addresses and partners' titles reach our
files. Every writer goes through here, and text cells get a leading apostrophe (the OWASP rule; the
spreadsheet shows the text and stores the apostrophe as part of it). Numbers our code writes
(int, Decimal) stay numbers, so a negative amount is still -81.00 in an amount column; a number that
arrives as text (from JSON) is converted by its writer if the column is numeric, else neutralised."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBERS = (int, float, Decimal)


def neutralise(value):
    """A text cell that would run as a formula with an apostrophe in front; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(text):
    """What neutralise() wrote, read back: an import of our own export gets the original text."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def number_or_text(value):
    """A numeric column's value as a number when it is one (amounts that travelled as JSON strings);
    anything else stays text, and is neutralised when written."""
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        if number.is_finite():
            return number
    return value


class CsvWriter:
    """csv.writer whose rows are neutralised cell by cell."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class CsvDictWriter(csv.DictWriter):
    """csv.DictWriter whose values are neutralised (the header is ours)."""

    def writerow(self, rowdict):
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for rowdict in rowdicts:
            self.writerow(rowdict)


def csv_text(headers, rows):
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def xlsx_bytes(headers, rows, *, title="Sheet1"):
    """One sheet. Text cells are stored as text (openpyxl would store "=..." as a formula) and
    neutralised as in CSV, so a copy to CSV or a re-typed cell stays inert too."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)

    def cell(value):
        if value is None or isinstance(value, NUMBERS) and not isinstance(value, bool):
            return value
        text = WriteOnlyCell(sheet, value=None)
        text.value = neutralise(str(value))
        text.data_type = "s"
        return text

    sheet.append([cell(header) for header in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
