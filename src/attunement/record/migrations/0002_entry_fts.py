"""Full-text index of entries: FTS5 inside the encrypted SQLite database.

PostgreSQL needs no table: it searches with to_tsvector at query time.
"""

from django.db import migrations


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS record_entry_fts "
        "USING fts5(title, body, tags, tokenize = 'porter unicode61 remove_diacritics 2')"
    )


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS record_entry_fts")


class Migration(migrations.Migration):
    dependencies = [("record", "0001_initial")]
    operations = [migrations.RunPython(create_fts, drop_fts)]
