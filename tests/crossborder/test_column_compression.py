"""Large JSON columns are stored with lz4 where PostgreSQL has it (issue 20, bench/README.md): the
outbox's payloads and the handoff reports' lines, a night's 24 MB each for 100,000 SKUs."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def compression(table, column):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s", [table, column]
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage setting")
@pytest.mark.parametrize(
    ("table", "column"), [("crossborder_outboxmessage", "payload"), ("logistics_handoffreport", "lines")]
)
def test_large_json_columns_are_compressed_with_lz4_by_the_migrations(table, column):
    assert compression(table, column) == "l"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage setting")
def test_a_large_payload_written_through_the_outbox_reads_back_whole(remote):
    from crossborder import services
    from crossborder.models import OutboxMessage

    body = "".join(f"sku-{n:06d} on hand {n % 7}; " for n in range(20_000))  # 500 KB, like a report part
    message = services.send_to_partner(remote.partnership, "partner.notice", {"subject": "big", "body": body})

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(payload) FROM crossborder_outboxmessage WHERE id = %s", [message.pk]
        )
        assert cursor.fetchone()[0] == "lz4"
    assert OutboxMessage.objects.get(pk=message.pk).payload["body"] == body
