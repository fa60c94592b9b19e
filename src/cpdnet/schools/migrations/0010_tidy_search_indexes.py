"""PostgreSQL: merge the name search indexes' pending lists left by earlier imports.

Imports now do this themselves (importer.tidy_search_indexes); a database imported before
would read the whole pending list on every search until a VACUUM. SQLite is unchanged.
"""

from django.db import migrations

SEARCH_INDEXES = ("school_search_text_words", "school_search_text_trgm")


def tidy(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in SEARCH_INDEXES:
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


class Migration(migrations.Migration):
    dependencies = [("schools", "0009_counted_schools_covering_index")]
    operations = [migrations.RunPython(tidy, migrations.RunPython.noop)]
