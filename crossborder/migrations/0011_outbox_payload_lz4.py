# The outbox's payloads compressed with lz4 where PostgreSQL has it (issue 20: a night's handoff
# queues 24 MB of report parts; pglz stored them in 530-600 ms, lz4 in 330-384 ms).

from django.db import migrations

from crossborder.db import set_column_compression


def lz4(apps, schema_editor):
    set_column_compression(schema_editor, "crossborder_outboxmessage", "payload", "lz4")


def pglz(apps, schema_editor):
    set_column_compression(schema_editor, "crossborder_outboxmessage", "payload", "pglz")


class Migration(migrations.Migration):
    dependencies = [("crossborder", "0010_relay_lease_own_row")]

    operations = [migrations.RunPython(lz4, pglz)]
