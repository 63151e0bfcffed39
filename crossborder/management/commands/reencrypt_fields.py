"""Encrypt every encrypted column again under the first key of CROSSBORDER_FIELD_ENCRYPTION_KEY,
and rebuild the blind indexes under it: the step of a key rotation after which the old key can go."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from crossborder.fields import BlindIndexField, EncryptedTextField, encrypt_column


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields (and their blind indexes) under the first field encryption key."

    def handle(self, *args, **options):
        for model in apps.get_models():
            indexes = {f.source: f.column for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)}
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedTextField):
                    continue
                with transaction.atomic():
                    encrypt_column(
                        connection,
                        model._meta.db_table,
                        field.column,
                        index_column=indexes.get(field.name),
                        rotate=True,
                    )
                self.stdout.write(f"{model._meta.label}.{field.name}: encrypted under the first key")
