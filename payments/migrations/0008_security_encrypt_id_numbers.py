"""Resident ID numbers encrypted at rest: checkouts' and orders' columns become EncryptedTextFields
(the rows already stored are encrypted in place), orders get the blind index the annual limit looks
them up by, and customs declarations' stored records keep the number masked (their exports read it
from the order). The form check on checkouts' column goes: it cannot read ciphertext, and
china_rules.check_buyer checks every number before it is stored."""

from django.db import migrations

import crossborder.fields


def encrypt_id_numbers(apps, schema_editor):
    connection = schema_editor.connection
    Checkout = apps.get_model("payments", "Checkout")
    Order = apps.get_model("payments", "Order")
    crossborder.fields.encrypt_column(connection, Checkout._meta.db_table, "buyer_id_number")
    crossborder.fields.encrypt_column(
        connection, Order._meta.db_table, "buyer_id_number", index_column="buyer_id_index"
    )
    CustomsDeclaration = apps.get_model("payments", "CustomsDeclaration")
    for declaration in CustomsDeclaration.objects.all().iterator():
        changed = False
        for record, key in ((declaration.order_record, "buyer_id_number"), (declaration.payment_record, "payer_id_number")):
            value = record.get(key)
            if value and not value.startswith("*"):
                record[key] = crossborder.fields.masked(value)
                changed = True
        if changed:
            declaration.save(update_fields=["order_record", "payment_record"])


def decrypt_id_numbers(apps, schema_editor):
    connection = schema_editor.connection
    for model in ("Checkout", "Order"):
        table = apps.get_model("payments", model)._meta.db_table
        crossborder.fields.decrypt_column(connection, table, "buyer_id_number")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0007_logistics_forwarded_lines"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="checkout",
            name="checkout_id_number_form",
        ),
        migrations.AddField(
            model_name="order",
            name="buyer_id_index",
            field=crossborder.fields.BlindIndexField(db_index=True, source="buyer_id_number"),
        ),
        migrations.AlterField(
            model_name="checkout",
            name="buyer_id_number",
            field=crossborder.fields.EncryptedTextField(blank=True, verbose_name="resident ID number"),
        ),
        migrations.AlterField(
            model_name="order",
            name="buyer_id_number",
            field=crossborder.fields.EncryptedTextField(blank=True, verbose_name="resident ID number"),
        ),
        migrations.RunPython(encrypt_id_numbers, decrypt_id_numbers),
    ]
