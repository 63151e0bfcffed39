"""django-import-export formats that write through crossborder.spreadsheets, so an admin export
(any ExportMixin, now or later) neutralises formula-like text as every other file we write does.
settings.EXPORT_FORMATS names them; the package's own CSV and XLSX would write "=..." as it is
(its IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "=" and turns numbers into text)."""

from import_export.formats import base_formats

from . import spreadsheets


def _rows(dataset):
    return list(dataset.headers or []), [list(row) for row in dataset]


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        headers, rows = _rows(dataset)
        return spreadsheets.csv_text(headers, rows)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        headers, rows = _rows(dataset)
        return spreadsheets.xlsx_bytes(headers, rows, title=dataset.title or "Sheet1")
