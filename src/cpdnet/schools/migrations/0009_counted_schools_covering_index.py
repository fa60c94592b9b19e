"""PostgreSQL: a covering index of the schools insights counts (open and state-funded).

Every reach figure groups those 22,000 of the register's 44,000 schools by authority,
district, phase or FSM quintile. Without this index each query read the whole table (2,200
pages of wide rows); with it PostgreSQL reads the counted schools' index alone (an index-only
scan where autovacuum has marked the pages visible). Measured in bench/README.md
("insights_reach.py"). SQLite has no covering indexes and is fast enough without.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS school_counted_facts ON schools_school "
    "(la_code, district_code) INCLUDE (urn, phase, la_name, percentage_fsm) "
    "WHERE is_state_funded AND status IN ('open', 'open_proposed_to_close')"
)
DROP = "DROP INDEX IF EXISTS school_counted_facts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("schools", "0008_name_search_prefix_index")]
    operations = [migrations.RunPython(create, drop)]
