"""Triggers that refuse to change a ledger entry, whatever code runs: money moves only by new
entries. `actor_id` may still be cleared, as erasing a person does.

PostgreSQL also refuses DELETE (TRUNCATE, which test runs use to empty tables, is a separate
privilege for the database owner). SQLite empties tables with DELETE, so there the ORM's guard
refuses deletes and the trigger refuses updates."""

from django.db import migrations

GUARDED = (
    "kind, amount, academic_year, description, fund_id, school_id, application_id, "
    "invoice_id, credit_note_id, bursary_id, payment_id, created_at"
)
MESSAGE = "ledger entries are append-only: add a correcting entry"

SQLITE = [
    f"""CREATE TRIGGER funding_ledger_no_update BEFORE UPDATE OF {GUARDED}
        ON funding_ledgerentry BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
POSTGRESQL = [
    f"""CREATE FUNCTION funding_ledger_refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER funding_ledger_no_update BEFORE UPDATE OF {GUARDED}
        ON funding_ledgerentry FOR EACH ROW EXECUTE FUNCTION funding_ledger_refuse()""",
    """CREATE TRIGGER funding_ledger_no_delete BEFORE DELETE
        ON funding_ledgerentry FOR EACH ROW EXECUTE FUNCTION funding_ledger_refuse()""",
]
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS funding_ledger_no_update",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS funding_ledger_no_update ON funding_ledgerentry",
        "DROP TRIGGER IF EXISTS funding_ledger_no_delete ON funding_ledgerentry",
        "DROP FUNCTION IF EXISTS funding_ledger_refuse()",
    ],
}


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, []))


def drop(apps, schema_editor) -> None:
    _run(schema_editor, DROP.get(schema_editor.connection.vendor, []))


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
