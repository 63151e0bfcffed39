"""Signing private keys encrypted at rest: the column becomes an EncryptedTextField and the keys
already stored are encrypted in place (crossborder/fields.py)."""

from django.db import migrations

import crossborder.fields


def encrypt_keys(apps, schema_editor):
    table = apps.get_model("crossborder", "SigningKey")._meta.db_table
    crossborder.fields.encrypt_column(schema_editor.connection, table, "private_key_pem")


def decrypt_keys(apps, schema_editor):
    table = apps.get_model("crossborder", "SigningKey")._meta.db_table
    crossborder.fields.decrypt_column(schema_editor.connection, table, "private_key_pem")


class Migration(migrations.Migration):
    dependencies = [
        ("crossborder", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="signingkey",
            name="private_key_pem",
            field=crossborder.fields.EncryptedTextField(editable=False),
        ),
        migrations.RunPython(encrypt_keys, decrypt_keys),
    ]
