"""The shipped rounding bands round to the nearest charm price, within half a step (ADR 0026): the
bands an earlier release loaded (up to the next x9.9, x99) are replaced where they are still as
shipped; bands ops changed or added are left alone. Listings take the new rule at their next
repricing (nightly, or `manage.py reprice_listings`)."""

from decimal import Decimal

from django.db import migrations

# (currency, from, below, step, ending offset) as release 0003 loaded them.
OLD = [
    ("CNY", "0", "100", "1", "0.1"),
    ("CNY", "100", "1000", "10", "0.1"),
    ("CNY", "1000", None, "100", "1"),
    ("USD", "0", "100", "1", "0.01"),
    ("USD", "100", None, "5", "0.01"),
]


def forwards(apps, schema_editor):
    from partner_zone import rules

    rule = apps.get_model("partner_zone", "RoundingRule")
    for currency in {band[0] for band in OLD}:
        rows = list(rule.objects.filter(currency=currency))
        shipped = {
            (r.currency, r.min_amount, r.max_amount, r.step, r.ending_offset)
            for r in rows
        }
        old = {
            (c, Decimal(low), Decimal(high) if high else None, Decimal(step), Decimal(offset))
            for c, low, high, step, offset in OLD
            if c == currency
        }
        if shipped != old:
            continue  # ops' own bands: theirs to change
        rule.objects.filter(currency=currency).delete()
        for band_currency, low, high, step, offset in rules.rounding_rules():
            if band_currency == currency:
                rule.objects.create(
                    currency=currency, min_amount=low, max_amount=high, step=step, ending_offset=offset
                )


class Migration(migrations.Migration):
    dependencies = [("partner_zone", "0014_arch_money_three_decimals")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
