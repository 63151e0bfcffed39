# The handoff reports' lines compressed with lz4 where PostgreSQL has it (issue 20: the importer
# stores both of a night's reports whole, 24 MB of JSON for 100,000 SKUs).

from django.db import migrations

from crossborder.db import set_column_compression


def lz4(apps, schema_editor):
    set_column_compression(schema_editor, "logistics_handoffreport", "lines", "lz4")


def pglz(apps, schema_editor):
    set_column_compression(schema_editor, "logistics_handoffreport", "lines", "pglz")


class Migration(migrations.Migration):
    dependencies = [("logistics", "0008_admin_texts_translatable")]

    operations = [migrations.RunPython(lz4, pglz)]
