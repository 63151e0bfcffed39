"""Bounds of form and serializer fields, read from the model column they write: an integer field
accepts only what the column holds (on PostgreSQL, the strictest backend we run on, whatever the
current database), a money or decimal field only the column's digits. `tests/crossborder/
test_input_bounds.py` checks that every integer and decimal field of every form and serializer is
bounded, so a number out of the database's range is a field error, never a server error."""

from django.db.backends.postgresql.operations import DatabaseOperations

# PostgreSQL's ranges per Django field type (integer 4 bytes, bigint 8, smallint 2).
RANGES = DatabaseOperations.integer_field_ranges
BIGINT = RANGES["BigIntegerField"]


def _column(model, name):
    return model._meta.get_field(name)


def integer(model, name, *, min_value=None, max_value=None):
    """min_value/max_value for an integer field writing model.name; a tighter bound given wins."""
    field = _column(model, name)
    low, high = RANGES[field.get_internal_type()]
    return {
        "min_value": low if min_value is None else max(low, min_value),
        "max_value": high if max_value is None else min(high, max_value),
    }


def big_integer(*, min_value=None, max_value=None):
    """For an integer that writes no column (a count, an id looked up): at least a 64-bit range."""
    low, high = BIGINT
    return {
        "min_value": low if min_value is None else max(low, min_value),
        "max_value": high if max_value is None else min(high, max_value),
    }


def decimal(model, name):
    """max_digits/decimal_places of a decimal or money column."""
    field = _column(model, name)
    return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}


def of_type(internal_type, *, min_value=None, max_value=None):
    """For a number that lands in columns of one integer type (several, or JSON read back into one)."""
    low, high = RANGES[internal_type]
    return {
        "min_value": low if min_value is None else max(low, min_value),
        "max_value": high if max_value is None else min(high, max_value),
    }
