"""Full-text indexes of school names and towns for search (schools.selectors.list_schools_matching).

SQLite: an FTS5 table over schools_school.search_text, kept up to date by triggers, so every
write (the importer's bulk inserts and updates included) updates it. PostgreSQL: a GIN index of
the same text as a 'simple' tsvector (lower-case words, no stemming, no stop words), which
matches word prefixes as the search does. Other databases keep the plain LIKE search.
"""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE school_search USING fts5("
    "search_text, content='schools_school', content_rowid='urn')",
    "CREATE TRIGGER school_search_insert AFTER INSERT ON schools_school BEGIN "
    "INSERT INTO school_search(rowid, search_text) VALUES (new.urn, new.search_text); END",
    "CREATE TRIGGER school_search_delete AFTER DELETE ON schools_school BEGIN "
    "INSERT INTO school_search(school_search, rowid, search_text) "
    "VALUES ('delete', old.urn, old.search_text); END",
    "CREATE TRIGGER school_search_update AFTER UPDATE OF search_text, urn ON schools_school "
    "BEGIN INSERT INTO school_search(school_search, rowid, search_text) "
    "VALUES ('delete', old.urn, old.search_text); "
    "INSERT INTO school_search(rowid, search_text) VALUES (new.urn, new.search_text); END",
    "INSERT INTO school_search(school_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS school_search_insert",
    "DROP TRIGGER IF EXISTS school_search_delete",
    "DROP TRIGGER IF EXISTS school_search_update",
    "DROP TABLE IF EXISTS school_search",
]
POSTGRESQL_CREATE = [
    "CREATE INDEX IF NOT EXISTS school_search_text_words ON schools_school "
    "USING gin (to_tsvector('simple', search_text))",
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS school_search_text_words"]


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("schools", "0006_grid_index_by_status")]
    operations = [migrations.RunPython(create, drop)]
