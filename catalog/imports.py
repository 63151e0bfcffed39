"""Products in and out of a spreadsheet (CSV or XLSX): one row per variant (SKU), rows with the same
product code make one product. The import is all or nothing: every row is checked first with a fixed
number of queries, and only a file without problems is saved, in one transaction, through
services.save_product."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from djmoney.money import Money
from moneyed import CurrencyDoesNotExist, get_currency

from crossborder import money, spreadsheets

from . import services
from .errors import CatalogErrorCode
from .models import Category, Product, ProductVariant
from .services import KNOWN_LANGUAGES, CatalogError

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSV_ENCODINGS = ("UTF-8", "GB18030")  # Chinese Excel saves CSV in the ANSI code page (GBK, a subset of GB18030)

PRODUCT_COLUMNS = [
    "product_code",
    "category_id",
    "brand",
    "hs_code",
    "country_of_origin",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "original_language",
    "status",
]
VARIANT_COLUMNS = [
    "sku",
    "size",
    "colour",
    "price",
    "currency",
    "stock",
    "sku_weight_g",
    "sku_length_mm",
    "sku_width_mm",
    "sku_height_mm",
]
# A variant's attributes, each in any language (`size_en`, `colour_zh-hans`); the former columns
# `size` and `colour` hold the value in the product's original language.
ATTRIBUTE_COLUMNS = ("size", "colour")
# The SKU's own weight and size (blank: the product's) -> ProductVariant field.
SKU_SIZE_COLUMNS = {
    "sku_weight_g": "weight_grams",
    "sku_length_mm": "length_mm",
    "sku_width_mm": "width_mm",
    "sku_height_mm": "height_mm",
}
REQUIRED_COLUMNS = [
    "product_code",
    "sku",
    "category_id",
    "hs_code",
    "country_of_origin",
    "weight_g",
    "original_language",
    "price",
    "currency",
    "stock",
]


def text_columns(language):
    return [f"title_{language}", f"description_{language}"]


def attribute_columns(language):
    return [f"{name}_{language}" for name in ATTRIBUTE_COLUMNS]


COLUMNS = [
    "product_code",
    "sku",
    *PRODUCT_COLUMNS[1:],
    *(column for code, _name in settings.LANGUAGES for column in text_columns(code)),
    *(column for code, _name in settings.LANGUAGES for column in attribute_columns(code)),
    *(name for name in VARIANT_COLUMNS[1:] if name not in ATTRIBUTE_COLUMNS),
]

# Database limits, checked up front so a long value is a row error rather than a failed write.
MAX_LENGTHS = {"product_code": 64, "sku": 64, "brand": 80, "size": 40, "colour": 40, "title": 200}
MAX_INTEGER = 2_147_483_647
MAX_PRICE = Decimal(10) ** (money.MONEY_COLUMN["max_digits"] - money.MONEY_COLUMN["decimal_places"])
# An XLSX workbook holds a dozen parts and a product sheet a few dozen columns; far more is not ours.
MAX_XLSX_MEMBERS = 1000
MAX_XLSX_COLUMNS = 1000

# services.CatalogError.field -> the column it is about.
SERVICE_FIELD_COLUMNS = {
    "code": "product_code",
    "category": "category_id",
    "weight_grams": "weight_g",
    "language": "original_language",
    "hs_code": "hs_code",
    "sku": "sku",
    "price": "price",
    "stock": "stock",
}


@dataclass
class RowError:
    row: int  # as the merchant sees it: the header is row 1, the first data row is 2
    field: str  # the column, or "" for the whole row
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    products_created: int = 0
    products_updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _CellError(Exception):
    """A cell's value is unusable; the message says what is wrong and what is expected."""


class _RolledBack(Exception):
    """Raised out of the import's transaction to undo every product saved before a refusal."""


def _file_error(message):
    return CatalogError(CatalogErrorCode.IMPORT_FILE_INVALID, message, field="file")


# --- reading a file into rows of text --------------------------------------------------------------


def _format_of(filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension not in FORMATS:
        raise _file_error(
            _("%(name)s is not a CSV or XLSX file; upload a file ending in %(formats)s.")
            % {"name": filename or "?", "formats": " or ".join(f".{fmt}" for fmt in FORMATS)}
        )
    return extension


def _cell_text(value):
    """A cell as the text the merchant typed. XLSX numbers arrive as int or float: a whole float is
    written without ".0" (a SKU or a stock), any other goes through str(), never into a float sum.
    The apostrophe our export puts before a formula-like text is taken off again."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return spreadsheets.restore(str(value).strip())


def _decode_csv(data):
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode("utf-8-sig" if encoding == "UTF-8" else encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(
        _("The file is neither %(first)s nor %(second)s text; save the CSV as UTF-8 and upload it again.")
        % {"first": CSV_ENCODINGS[0], "second": CSV_ENCODINGS[1]}
    )


def _read_csv(data):
    if data.startswith(b"PK\x03\x04"):
        raise _file_error(_("The file is an Excel workbook named .csv; rename it to .xlsx or save it as CSV."))
    text = _decode_csv(data)
    if "\x00" in text:
        raise _file_error(_("The file is not a CSV text file (it holds binary data); save the sheet as CSV."))
    header_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in header_line:  # Excel in some locales saves CSV with semicolons; a tab-separated export
        delimiter = next((candidate for candidate in ";\t" if candidate in header_line), ",")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise _file_error(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from None
    if not records:
        return [], []
    # Numbered by record, not by line: a blank line is a row in the merchant's spreadsheet too.
    return records[0], [(number, cells) for number, cells in enumerate(records[1:], start=2)]


def _refuse_archive(archive, filename):
    """Before anything is decompressed: the workbook's declared sizes within the limits (zipfile
    stops a member at its declared size, so a member cannot expand past what is checked here)."""
    members = archive.infolist()
    expanded = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    limit, ratio = settings.CATALOG_MAX_IMPORT_UNCOMPRESSED_BYTES, settings.CATALOG_MAX_IMPORT_COMPRESSION_RATIO
    if len(members) > MAX_XLSX_MEMBERS or expanded > limit:
        raise _file_error(
            _("%(name)s expands to %(size)s; at most %(limit)s can be imported at once. Split it into several files.")
            % {"name": filename, "size": filesizeformat(expanded), "limit": filesizeformat(limit)}
        )
    if expanded / packed > ratio:
        raise _file_error(
            _(
                "%(name)s is compressed %(ratio)d times, more than a spreadsheet of products is (at most "
                "%(limit)d); save it again from Excel as .xlsx."
            )
            % {"name": filename, "ratio": expanded // packed, "limit": ratio}
        )


def _too_many_sheet_rows(filename):
    return _file_error(
        _(
            "%(name)s has more than %(limit)d rows; at most %(limit)d can be imported at once. Split it into several files."
        )
        % {"name": filename, "limit": settings.CATALOG_MAX_IMPORT_ROWS}
    )


def _xlsx_rows(sheet, filename):
    """The sheet's rows as values, streamed, stopping as soon as a limit is passed: more non-blank
    rows than CATALOG_MAX_IMPORT_ROWS, twice that many rows counting blank ones, or a row wider than
    any product sheet."""
    limit = settings.CATALOG_MAX_IMPORT_ROWS
    sheet.reset_dimensions()  # read every row there is, not only those the dimension claims
    filled = 0
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > 2 * limit + 1 or len(cells) > MAX_XLSX_COLUMNS:
            raise _too_many_sheet_rows(filename)
        if number > 1 and any(cell is not None and cell != "" for cell in cells):
            filled += 1
            if filled > limit:
                raise _too_many_sheet_rows(filename)
        yield cells


def _read_xlsx(data, filename):
    unreadable = _("The file is not a readable XLSX workbook; save it from Excel as .xlsx.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _file_error(unreadable) from None
    with archive:
        _refuse_archive(archive, filename)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.active
                # The sheet's own claim first: a file saying it spans a million rows is refused unread.
                claimed = sheet.max_row or 0
                if claimed > 2 * settings.CATALOG_MAX_IMPORT_ROWS + 1:
                    raise _too_many_sheet_rows(filename)
                rows = list(_xlsx_rows(sheet, filename))
            finally:
                workbook.close()
        except CatalogError:
            raise
        except Exception:  # openpyxl and zipfile raise many kinds for a damaged or foreign file
            raise _file_error(unreadable) from None
    if not rows:
        return [], []
    # Blank rows are kept, so the index gives the sheet's row number.
    return list(rows[0]), [(number, list(row)) for number, row in enumerate(rows[1:], start=2)]


def _read_rows(data, fmt, filename):
    header, rows = _read_csv(data) if fmt == "csv" else _read_xlsx(data, filename)
    header = [_cell_text(cell) for cell in header]
    return header, [(number, [_cell_text(cell) for cell in cells]) for number, cells in rows]


def _column_name(header_cell):
    name = header_cell.strip().lower()
    for prefix in ("title_", "description_", *(f"{attribute}_" for attribute in ATTRIBUTE_COLUMNS)):
        if name.startswith(prefix):
            return prefix + name[len(prefix) :].replace("_", "-")
    return name


def _is_known_column(name):
    if name in PRODUCT_COLUMNS or name in VARIANT_COLUMNS:
        return True
    prefix, _sep, language = name.partition("_")
    return prefix in ("title", "description", *ATTRIBUTE_COLUMNS) and language in KNOWN_LANGUAGES


def _match_columns(header, rows):
    """The file's column names in file order ("" for a blank header cell nobody wrote under)."""
    names = [_column_name(cell) for cell in header]
    for position, name in enumerate(names):
        if not name and any(position < len(cells) and cells[position] for _number, cells in rows):
            raise _file_error(
                _("Column %(position)d has values but no name in the header row; expected one of: %(columns)s.")
                % {"position": position + 1, "columns": ", ".join(COLUMNS)}
            )
    unknown = [name for name in names if name and not _is_known_column(name)]
    if unknown:
        raise _file_error(
            _("Unknown column(s) %(unknown)s; the columns are: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)}
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise _file_error(_("Column(s) %(columns)s appear more than once.") % {"columns": ", ".join(repeated)})
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if not any(name.startswith("title_") for name in names):
        missing.append(" / ".join(f"title_{code}" for code, _name in settings.LANGUAGES))
    if missing:
        raise _file_error(
            _("The file lacks the required column(s) %(missing)s; the header row must name them.")
            % {"missing": ", ".join(missing)}
        )
    return names


def _read_table(data, fmt, filename):
    """The file's column names, and (row number, {column: text}, whether cells lie beyond the named
    columns) for every row that is not blank, after the file-level checks."""
    header, rows = _read_rows(data, fmt, filename)
    if not any(header):
        raise _file_error(
            _("The first row must be the header naming the columns: %(columns)s.") % {"columns": ", ".join(COLUMNS)}
        )
    names = _match_columns(header, rows)
    table = [(number, cells) for number, cells in rows if any(cells)]
    if len(table) > settings.CATALOG_MAX_IMPORT_ROWS:
        raise _file_error(
            _("The file has %(rows)d rows; at most %(limit)d can be imported at once. Split it into several files.")
            % {"rows": len(table), "limit": settings.CATALOG_MAX_IMPORT_ROWS}
        )
    records = []
    for number, cells in table:
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names) if name}
        records.append((number, values, any(cells[len(names) :])))
    return names, records


# --- one cell at a time ----------------------------------------------------------------------------


def _required(text, expected):
    if not text:
        raise _CellError(_("is empty; expected %(expected)s.") % {"expected": expected})
    return text


def _limited(text, limit):
    if len(text) > limit:
        raise _CellError(
            _("is %(length)d characters long; at most %(limit)d are allowed.") % {"length": len(text), "limit": limit}
        )
    return text


def _whole_number(text, *, minimum, expected):
    _required(text, expected)
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise _CellError(
            _("%(value)s is not a whole number; expected %(expected)s.") % {"value": text, "expected": expected}
        )
    if number < minimum:
        raise _CellError(
            _("%(value)s is less than %(minimum)d; expected %(expected)s.")
            % {"value": text, "minimum": minimum, "expected": expected}
        )
    if number > MAX_INTEGER:
        raise _CellError(_("%(value)s is too large; expected %(expected)s.") % {"value": text, "expected": expected})
    return int(number)


def _optional_whole_number(text, *, minimum, expected):
    return _whole_number(text, minimum=minimum, expected=expected) if text else None


def _price(text):
    expected = _("an amount such as 99.00")
    _required(text, expected)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise _CellError(_("%(value)s is not a number; expected %(expected)s.") % {"value": text, "expected": expected})
    if amount <= 0:
        raise _CellError(_("%(value)s is not more than zero; a price must be more than 0.") % {"value": text})
    if amount >= MAX_PRICE:
        raise _CellError(_("%(value)s is too large for a price.") % {"value": text})
    if not money.has_minor_units_only(amount, settings.PLATFORM_CURRENCY):
        currency = settings.PLATFORM_CURRENCY
        raise _CellError(
            _("%(value)s has more than %(digits)d decimal places, which %(currency)s does not have; round it.")
            % {"value": text, "currency": currency, "digits": money.minor_digits(currency)}
        )
    return amount


def _currency(text):
    platform = settings.PLATFORM_CURRENCY
    code = _required(text, platform).upper()
    try:
        get_currency(code)
    except CurrencyDoesNotExist:
        raise _CellError(
            _("%(value)s is not a currency code; expected %(platform)s.") % {"value": text, "platform": platform}
        ) from None
    if code != platform:
        raise _CellError(
            _("Prices here are in %(platform)s, not %(value)s; convert the price and write %(platform)s.")
            % {"value": code, "platform": platform}
        )
    return code


def _hs_code(text):
    expected = _("the 6-digit HS subheading, e.g. 392410")
    _required(text, expected)
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        raise _CellError(
            _(
                "%(value)s is not 6 digits; expected %(expected)s (format the column as text if the code "
                "starts with 0, so the spreadsheet keeps the zero)."
            )
            % {"value": text, "expected": expected}
        )
    return text


def _country(text):
    expected = _("an ISO 3166 two-letter country code, e.g. CN")
    code = _required(text, expected).upper()
    if len(code) != 2 or code not in countries:
        raise _CellError(
            _("%(value)s is not a country code; expected %(expected)s.") % {"value": text, "expected": expected}
        )
    return code


def _language(text):
    expected = _("a language code such as zh-hans or en")
    code = _required(text, expected).lower().replace("_", "-")
    if code not in KNOWN_LANGUAGES:
        raise _CellError(
            _("%(value)s is not a known language code; expected %(expected)s.") % {"value": text, "expected": expected}
        )
    return code


def _status(text):
    status = text.lower() or Product.Status.ACTIVE
    if status not in Product.Status.values:
        raise _CellError(
            _("%(value)s is not a status; expected active, draft or archived (blank means active).") % {"value": text}
        )
    return status


# --- checking every row ----------------------------------------------------------------------------


@dataclass
class _ProductRows:
    code: str
    first_row: int
    values: dict  # product-level column -> text, from its first row
    variant_rows: list = field(default_factory=list)  # (row number, {column: text})


class _Check:
    """Collects every problem of the file, in row and column order."""

    def __init__(self, names):
        self.order = {name: position for position, name in enumerate(names)}
        self.errors = []

    def add(self, row, column, message):
        self.errors.append(RowError(row=row, field=column, message=message))

    def cell(self, row, column, parse, *args, **kwargs):
        """parse(*args) or None, with its complaint recorded against the cell."""
        try:
            return parse(*args, **kwargs)
        except _CellError as error:
            self.add(row, column, str(error))
            return None

    def sorted_errors(self):
        return sorted(self.errors, key=lambda error: (error.row, self.order.get(error.field, -1)))


def _group_rows(records, names, check):
    """Rows by product code, with a continuation row's product-level cells either blank (the same as
    the product's first row) or equal to the first row's."""
    product_level = [name for name in names if name in PRODUCT_COLUMNS or name.startswith(("title_", "description_"))]
    products = {}
    for number, values, has_extra in records:
        if has_extra:
            check.add(number, "", _("The row has values beyond the named columns; give every column a header."))
        code = values["product_code"]
        if not code:
            check.add(number, "product_code", _("is empty; expected your own code for the product."))
            continue
        group = products.get(code)
        if group is None:
            products[code] = group = _ProductRows(code, number, {name: values[name] for name in product_level})
        else:
            for name in product_level:
                if values[name] and values[name] != group.values[name]:
                    check.add(
                        number,
                        name,
                        _(
                            "%(value)s differs from %(first)s on row %(row)d, the first row of product %(code)s; "
                            "a product's columns must be the same on all its rows (or left blank)."
                        )
                        % {
                            "value": values[name],
                            "first": group.values[name] or '""',
                            "row": group.first_row,
                            "code": code,
                        },
                    )
        group.variant_rows.append((number, values))
    return list(products.values())


def _product_fields(group, names, existing, check):
    """The product-level part of ProductInput from the product's first row, or None after a problem.
    A column missing from the file leaves that field of an existing product as it is."""
    row, values = group.first_row, group.values
    before = len(check.errors)
    product = existing.get(group.code)
    fields = {
        "code": check.cell(row, "product_code", _limited, group.code, MAX_LENGTHS["product_code"]),
        "category_id": check.cell(
            row, "category_id", _whole_number, values["category_id"], minimum=1, expected=_("a taxonomy ID such as 561")
        ),
        "hs_code": check.cell(row, "hs_code", _hs_code, values["hs_code"]),
        "country_of_origin": check.cell(row, "country_of_origin", _country, values["country_of_origin"]),
        "weight_grams": check.cell(
            row, "weight_g", _whole_number, values["weight_g"], minimum=1, expected=_("the weight in grams, e.g. 250")
        ),
        "original_language": check.cell(row, "original_language", _language, values["original_language"]),
    }
    for name in ("length_mm", "width_mm", "height_mm"):
        if name in values:
            fields[name] = check.cell(
                row, name, _optional_whole_number, values[name], minimum=1, expected=_("millimetres, e.g. 120")
            )
        elif product is not None:
            fields[name] = getattr(product, name)
    if "brand" in values:
        fields["brand"] = check.cell(row, "brand", _limited, values["brand"], MAX_LENGTHS["brand"])
    elif product is not None:
        fields["brand"] = product.brand
    if "status" in values:
        fields["status"] = check.cell(row, "status", _status, values["status"])
    elif product is not None:
        fields["status"] = product.status

    current_texts = {text.language: text for text in product.texts.all()} if product is not None else {}
    texts = {}
    languages = sorted({name.split("_", 1)[1] for name in names if name.startswith(("title_", "description_"))})
    for language in languages:
        title_column, description_column = text_columns(language)
        current = current_texts.get(language)
        title = values.get(title_column, current.title if current else "")
        description = values.get(description_column, current.description if current else "")
        if title_column in values:
            check.cell(row, title_column, _limited, title, MAX_LENGTHS["title"])
        if description and not title and language != fields["original_language"]:  # else: no title at all
            check.add(
                row,
                description_column,
                _("has text but %(title)s is empty; a description needs a title.") % {"title": title_column},
            )
        texts[language] = (title, description)
    language = fields["original_language"]
    if language and language not in texts and language in current_texts:
        texts[language] = (current_texts[language].title, current_texts[language].description)
    if language and not texts.get(language, ("", ""))[0]:
        column = f"title_{language}"
        if column in values or language in texts:
            message = _("is empty; a product needs a title in its original language (%(language)s).")
        else:
            message = _("is missing; a product needs a title in its original language (%(language)s).")
        check.add(row, column, message % {"language": language})
    if len(check.errors) > before:
        return None
    fields["texts"] = texts
    return fields


def _variant_input(row, values, current, check, *, original_language):
    """The row's VariantInput, or None after a problem. An attribute's columns missing from the file
    leave that attribute of an existing SKU as it is; `size` and `colour` without a language are in
    the product's original language; a blank sku_* size is the product's."""
    before = len(check.errors)
    sku = check.cell(row, "sku", _limited, values["sku"], MAX_LENGTHS["sku"])
    currency = check.cell(row, "currency", _currency, values["currency"])
    price = check.cell(row, "price", _price, values["price"])
    stock = check.cell(
        row, "stock", _whole_number, values["stock"], minimum=0, expected=_("the number in stock, e.g. 10")
    )
    attributes = dict(current.attributes) if current is not None else {}
    for name in ATTRIBUTE_COLUMNS:
        columns = {
            column: column.partition("_")[2] or original_language
            for column in values
            if column == name or column.startswith(f"{name}_")
        }
        if not columns:
            continue
        typed = {}
        for column, language in columns.items():
            text = check.cell(row, column, _limited, values[column], MAX_LENGTHS[name])
            if text and language:
                typed[language] = text
        attributes.pop(name, None)
        if typed:
            attributes[name] = typed
    sizes = {}
    for column, name in SKU_SIZE_COLUMNS.items():
        if column in values:
            sizes[name] = check.cell(
                row, column, _optional_whole_number, values[column], minimum=1, expected=_("blank, or a whole number")
            )
        elif current is not None:
            sizes[name] = getattr(current, name)
    if len(check.errors) > before:
        return None
    return services.VariantInput(sku=sku, price=Money(price, currency), stock=stock, attributes=attributes, **sizes)


def _check_skus(groups, merchant, check):
    """Every SKU once in the file, and none of another merchant or of another of this merchant's
    products: one query for all of them."""
    seen = {}
    for group in groups:
        for row, values in group.variant_rows:
            sku = values["sku"]
            if not sku:
                check.add(row, "sku", _("is empty; expected the variant's SKU."))
            elif sku in seen:
                check.add(
                    row,
                    "sku",
                    _("SKU %(sku)s is already on row %(row)d; every row needs its own SKU.")
                    % {"sku": sku, "row": seen[sku]},
                )
            else:
                seen[sku] = row
    owners = {
        sku: (merchant_id, code)
        for sku, merchant_id, code in ProductVariant.objects.filter(sku__in=list(seen)).values_list(
            "sku", "product__merchant_id", "product__code"
        )
    }
    for group in groups:
        for row, values in group.variant_rows:
            owner = owners.get(values["sku"])
            if owner is None or seen.get(values["sku"]) != row:
                continue
            merchant_id, code = owner
            if merchant_id != merchant.pk:
                check.add(
                    row,
                    "sku",
                    _("SKU %(sku)s belongs to another merchant; choose a SKU of your own.") % {"sku": values["sku"]},
                )
            elif code != group.code:
                check.add(
                    row,
                    "sku",
                    _("SKU %(sku)s belongs to your product %(code)s; a SKU cannot move to another product.")
                    % {"sku": values["sku"], "code": code},
                )


def _check_categories(groups, check):
    """Every category ID in the taxonomy, whatever else is wrong on the row (one pass reports it
    all): one query for all of them."""
    wanted = {}
    for group in groups:
        text = group.values.get("category_id", "")
        if text.isascii() and text.isdigit() and int(text) <= MAX_INTEGER and int(text) > 0:
            wanted[group.code] = int(text)
    known = set(Category.objects.filter(pk__in=set(wanted.values())).values_list("pk", flat=True))
    for group in groups:
        category_id = wanted.get(group.code)
        if category_id is not None and category_id not in known:
            check.add(
                group.first_row,
                "category_id",
                _("%(value)s is not a category of the Google product taxonomy; expected its numeric ID, e.g. 561.")
                % {"value": category_id},
            )


def _original_language_of(group, product):
    text = group.values.get("original_language", "").lower().replace("_", "-")
    if text in KNOWN_LANGUAGES:
        return text
    return product.original_language if product is not None else ""


def _prepare(merchant, names, records, check):
    """(rows, existing product or None, ProductInput) per product; to be saved only if `check` found
    nothing. Four queries whatever the number of rows."""
    groups = _group_rows(records, names, check)
    existing = {
        product.code: product
        for product in Product.objects.filter(merchant=merchant, code__in=[group.code for group in groups])
        .prefetch_related("texts", "variants")
        .order_by()
    }
    _check_skus(groups, merchant, check)
    fields_by_code = {group.code: _product_fields(group, names, existing, check) for group in groups}
    _check_categories(groups, check)
    prepared = []
    for group in groups:
        product = existing.get(group.code)
        current_variants = {variant.sku: variant for variant in product.variants.all()} if product else {}
        language = _original_language_of(group, product)
        variants = [
            _variant_input(row, values, current_variants.get(values["sku"]), check, original_language=language)
            for row, values in group.variant_rows
        ]
        fields = fields_by_code[group.code]
        if fields is None or None in variants:
            continue
        prepared.append((group, product, services.ProductInput(variants=variants, **fields)))
    return prepared


def _error_from_service(group, error):
    column = error.field if (error.field or "").startswith("title_") else SERVICE_FIELD_COLUMNS.get(error.field, "")
    return RowError(row=group.first_row, field=column, message=str(error.detail))


def import_products(merchant, data: bytes, *, filename: str) -> ImportReport:
    """All or nothing: every row is checked before anything is written; a file-level problem raises
    CatalogError(IMPORT_FILE_INVALID, field="file"), row problems come back in the report."""
    fmt = _format_of(filename)
    if len(data) > settings.CATALOG_MAX_IMPORT_BYTES:
        raise _file_error(
            _("The file is %(size)d KB; the limit is %(limit)d KB. Split it into several files.")
            % {"size": len(data) // 1024, "limit": settings.CATALOG_MAX_IMPORT_BYTES // 1024}
        )
    names, records = _read_table(data, fmt, filename)
    report = ImportReport(rows=len(records))
    if not records:
        return report
    check = _Check(names)
    prepared = _prepare(merchant, names, records, check)
    if check.errors:
        report.errors = check.sorted_errors()
        return report

    created = updated = 0
    try:
        with transaction.atomic():
            for group, product, data_input in prepared:
                try:
                    services.save_product(merchant=merchant, data=data_input, product=product)
                except CatalogError as error:  # a rule the checks above do not know: report it, save nothing
                    check.errors.append(_error_from_service(group, error))
                    continue
                if product is None:
                    created += 1
                else:
                    updated += 1
            if check.errors:
                raise _RolledBack
    except _RolledBack:
        report.errors = check.sorted_errors()
        return report
    report.products_created, report.products_updated = created, updated
    return report


# --- writing a file --------------------------------------------------------------------------------


def _write(fmt, headers, rows):
    """Through crossborder.spreadsheets: a title such as =HYPERLINK(...) is written inert."""
    if fmt not in FORMATS:
        raise _file_error(_("Unknown format %(fmt)s; expected one of %(formats)s.") % {"fmt": fmt, "formats": FORMATS})
    if fmt == "csv":
        # With a byte-order mark Excel opens the UTF-8 file with the Chinese text intact.
        return spreadsheets.csv_text(headers, rows).encode("utf-8-sig")
    return spreadsheets.xlsx_bytes(headers, rows, title="products")


def export_products(merchant, fmt: str) -> tuple[bytes, str, str]:
    """The merchant's products that are not archived, one row per variant on sale: the file imports
    back unchanged."""
    products = list(
        Product.objects.filter(merchant=merchant)
        .exclude(status=Product.Status.ARCHIVED)
        .prefetch_related("texts", Prefetch("variants", queryset=ProductVariant.objects.filter(is_active=True)))
        .order_by("code")
    )
    platform_languages = [code for code, _name in settings.LANGUAGES]
    written = {text.language for product in products for text in product.texts.all()}
    written |= {
        language
        for product in products
        for variant in product.variants.all()
        for texts_of in variant.attributes.values()
        if isinstance(texts_of, dict)
        for language in texts_of
    }
    extra_languages = sorted(written - set(platform_languages))
    headers = COLUMNS[:]
    position = headers.index(attribute_columns(platform_languages[0])[0])
    headers[position:position] = [column for language in extra_languages for column in text_columns(language)]
    position = headers.index("price")
    headers[position:position] = [column for language in extra_languages for column in attribute_columns(language)]
    rows = []
    for product in products:
        texts = {text.language: text for text in product.texts.all()}
        values = {
            "product_code": product.code,
            "category_id": product.category_id,
            "brand": product.brand,
            "hs_code": product.hs_code,
            "country_of_origin": product.country_of_origin.code,
            "weight_g": product.weight_grams,
            "length_mm": product.length_mm,
            "width_mm": product.width_mm,
            "height_mm": product.height_mm,
            "original_language": product.original_language,
            "status": product.status,
        }
        for language in platform_languages + extra_languages:
            text = texts.get(language)
            values[f"title_{language}"] = text.title if text else ""
            values[f"description_{language}"] = text.description if text else ""
        for variant in product.variants.all():
            values.update(
                {
                    "sku": variant.sku,
                    "price": variant.price.amount,
                    "currency": str(variant.price.currency),
                    "stock": variant.stock,
                    **{column: getattr(variant, name) for column, name in SKU_SIZE_COLUMNS.items()},
                }
            )
            for language in platform_languages + extra_languages:
                for name in ATTRIBUTE_COLUMNS:
                    texts_of = variant.attributes.get(name)
                    texts_of = texts_of if isinstance(texts_of, dict) else {}
                    values[f"{name}_{language}"] = texts_of.get(language, "")
            rows.append([values[column] for column in headers])
    content = _write(fmt, headers, rows)
    filename = f"products-{merchant.slug}-{timezone.localdate():%Y%m%d}.{fmt}"
    return content, CONTENT_TYPES[fmt], filename


def _example_row():
    example = {
        "product_code": "BOTTLE-240",
        "sku": "BOTTLE-240-BLUE",
        "category_id": 561,
        "brand": "Acme",
        "hs_code": "392410",
        "country_of_origin": settings.PLATFORM_COUNTRY,
        "weight_g": 180,
        "length_mm": 70,
        "width_mm": 70,
        "height_mm": 200,
        "original_language": settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in ("zh-hans", "en") else "en",
        "status": Product.Status.ACTIVE.value,
        "title_zh-hans": "婴儿奶瓶 240 毫升",
        "description_zh-hans": "防胀气奶嘴，可高温消毒。",
        "title_en": "Baby bottle 240 ml",
        "description_en": "Anti-colic teat, sterilisable.",
        "size_zh-hans": "240 毫升",
        "colour_zh-hans": "蓝色",
        "size_en": "240 ml",
        "colour_en": "blue",
        "sku_weight_g": 185,
        "price": Decimal("89.00"),
        "currency": settings.PLATFORM_CURRENCY,
        "stock": 25,
    }
    return [example.get(column, "") for column in COLUMNS]


def template_file(fmt) -> tuple[bytes, str, str]:
    """The header row and one example row to fill in."""
    return _write(fmt, COLUMNS, [_example_row()]), CONTENT_TYPES[fmt], f"products-template.{fmt}"
