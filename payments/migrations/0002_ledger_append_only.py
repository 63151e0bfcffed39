"""The ledger is append-only in the database, not only in Python: UPDATE and DELETE on ledger
transactions and postings are refused by triggers. On PostgreSQL a deferred constraint trigger also
refuses, at commit, a ledger transaction whose postings do not sum to zero per currency.

TRUNCATE stays possible (an operator's deliberate act, and how test databases are emptied). On the
embedded SQLite default only UPDATE is refused by the database, because emptying a test database
there deletes row by row; Python refuses deletes on both."""

from django.db import migrations

TABLES = ("payments_ledgertransaction", "payments_posting")

POSTGRES_FORWARD = """
CREATE FUNCTION payments_ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is refused; post a reversing transaction',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER payments_ledgertransaction_append_only BEFORE UPDATE OR DELETE ON payments_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_is_append_only();
CREATE TRIGGER payments_posting_append_only BEFORE UPDATE OR DELETE ON payments_posting
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_is_append_only();

CREATE FUNCTION payments_posting_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced record;
BEGIN
    SELECT currency, SUM(amount) AS total INTO unbalanced FROM payments_posting
     WHERE transaction_id = NEW.transaction_id GROUP BY currency HAVING SUM(amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: % % left over',
            NEW.transaction_id, unbalanced.total, unbalanced.currency
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER payments_posting_balanced AFTER INSERT ON payments_posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_posting_balances();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER payments_posting_balanced ON payments_posting;
DROP FUNCTION payments_posting_balances();
DROP TRIGGER payments_posting_append_only ON payments_posting;
DROP TRIGGER payments_ledgertransaction_append_only ON payments_ledgertransaction;
DROP FUNCTION payments_ledger_is_append_only();
"""


def sqlite_forward():
    statements = []
    for table in TABLES:
        for operation in ("UPDATE",):
            statements.append(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: {operation} on {table} is refused; "
                f"post a reversing transaction'); END;"
            )
    return statements


def sqlite_backward():
    return [f"DROP TRIGGER {table}_no_{op} ;" for table in TABLES for op in ("update",)]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in sqlite_forward():
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in sqlite_backward():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_ledger_and_settlement")]

    operations = [migrations.RunPython(forward, backward)]
