"""The sqlite-vec table of sentence vectors (SQLite only; PostgreSQL reads the blob column).

It holds each vector's sign bits (48 bytes a sentence): a scan reads 1 MB for 20,000
sentences, where float vectors would be 30 MB to decrypt on every query. The few hundred
nearest by Hamming distance are then re-ranked by exact cosine from the float vectors.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

DIM = 384


def create_vec(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS insight_vec USING vec0(embedding bit[{DIM}])"
    )


def drop_vec(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS insight_vec")


class Migration(migrations.Migration):
    dependencies = [("insight", "0001_initial")]
    operations = [migrations.RunPython(create_vec, drop_vec)]
