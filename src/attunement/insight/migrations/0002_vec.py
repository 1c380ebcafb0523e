"""The sqlite-vec table of sentence vectors (SQLite only; PostgreSQL reads the blob column)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DIM = 384


def create_vec(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS insight_vec USING vec0("
        f"embedding float[{DIM}] distance_metric=cosine)"
    )


def drop_vec(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS insight_vec")


class Migration(migrations.Migration):
    dependencies = [("insight", "0001_initial")]
    operations = [migrations.RunPython(create_vec, drop_vec)]
