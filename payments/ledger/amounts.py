"""Sums of money that stay exact Decimals.

SQLite keeps decimal columns as floating point and sums them as floats, and Django hands an
aggregate back as the float's 15 significant digits: 0.10 + 0.20 - 0.30 comes back as 5.55E-17,
not 0, and compares unequal to 0 in SQL as well. A column is quantized to its decimal places on the
way out, an aggregate is not. Every sum of an amount therefore goes through MoneySum: rounded in SQL
to the amount columns' 4 decimal places (so HAVING and filters see the exact value) and quantized on
the way out (on PostgreSQL the sum is exact and neither changes anything). Shown to people, an
amount is then put in its currency's minor units.
"""

from django.db.models import DecimalField, Sum
from django.db.models.functions import Round

from crossborder import money

from .models import AMOUNT


class _Exact(Round):
    def get_db_converters(self, connection):
        # Runs after the backend's own converter (SQLite's float to Decimal).
        return [*super().get_db_converters(connection), self._quantize]

    def _quantize(self, value, expression, connection):
        if value is None:
            return None
        return money.round_to(value, AMOUNT["decimal_places"], rounding=money.BANKERS)


def MoneySum(expression, **extra):  # noqa: N802 - used like the aggregate it wraps
    """Sum(amount) as an exact Decimal with the amount columns' decimal places, whatever the database."""
    field = DecimalField(**AMOUNT)
    return _Exact(Sum(expression, output_field=field, **extra), AMOUNT["decimal_places"], output_field=field)
