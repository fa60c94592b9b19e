"""On PostgreSQL, index school names for substring search (LIKE '%word%') with pg_trgm."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS school_search_text_trgm "
        "ON schools_school USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS school_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("schools", "0002_load_local_authorities")]
    operations = [migrations.RunPython(create, drop)]
