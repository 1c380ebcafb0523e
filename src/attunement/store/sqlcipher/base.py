"""Django database backend: SQLite through SQLCipher, keyed from the keyring.

This is the only code that opens the encrypted journal. Each new connection takes
the data key from :mod:`attunement.store.keyring`; when the journal is locked
there is no key and connecting raises :class:`JournalLocked`, which the web
middleware turns into the unlock page. Connections close at the end of each
request (``CONN_MAX_AGE = 0``), so locking leaves no open handle behind.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping
from itertools import tee
from typing import Any

from django.db.backends.sqlite3 import base as sqlite_base
from django.db.backends.sqlite3._functions import register as register_functions
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from sqlcipher3 import dbapi2 as Database

from attunement.store import keyring

# The same adapters and converters Django registers on the standard sqlite3 module.
Database.register_converter("bool", b"1".__eq__)
Database.register_converter("date", sqlite_base.decoder(parse_date))
Database.register_converter("time", sqlite_base.decoder(parse_time))
Database.register_converter("datetime", sqlite_base.decoder(parse_datetime))
Database.register_converter("timestamp", sqlite_base.decoder(parse_datetime))
Database.register_adapter(decimal.Decimal, str)
Database.register_adapter(datetime.date, lambda v: v.isoformat())
Database.register_adapter(datetime.datetime, lambda v: v.isoformat(" "))


def key_pragma(data_key: bytes) -> str:
    """The PRAGMA that hands SQLCipher a raw 256-bit key (no second KDF)."""
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


def open_raw(path: str, data_key: bytes) -> Any:
    """Open an SQLCipher connection outside Django (backup, rekey checks)."""
    conn = Database.connect(path, check_same_thread=False)
    conn.execute(key_pragma(data_key))
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


class CipherCursor(Database.Cursor):
    """Django's format/pyformat placeholders on an SQLCipher cursor.

    Django's own wrapper subclasses the standard library's cursor type, which
    SQLCipher's connections refuse, so the conversion is reused, not the class.
    """

    convert_query = sqlite_base.SQLiteCursorWrapper.convert_query  # type: ignore[attr-defined]

    def execute(self, query: str, params: Any = None) -> Any:
        if params is None:
            return Database.Cursor.execute(self, query)
        names = list(params) if isinstance(params, Mapping) else None
        return Database.Cursor.execute(self, self.convert_query(query, param_names=names), params)

    def executemany(self, query: str, param_list: Any) -> Any:
        peek, param_list = tee(iter(param_list))
        first = next(peek, None)
        names = list(first) if first and isinstance(first, Mapping) else None
        return Database.Cursor.executemany(
            self, self.convert_query(query, param_names=names), param_list
        )


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    """The sqlite3 backend with SQLCipher's module and a key on every connection."""

    Database = Database
    display_name = "SQLCipher"

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        data_key = keyring.require_key()
        conn = Database.connect(**conn_params)
        # The key must be the first statement on a new connection.
        conn.execute(key_pragma(data_key))
        # Temporary tables and indices stay in memory, never in unencrypted temp files.
        conn.execute("PRAGMA temp_store = MEMORY")
        register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in getattr(self, "init_commands", ()):
            if init_command := init_command.strip():
                conn.execute(init_command)
        _load_vector_extension(conn)
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CipherCursor)


def _load_vector_extension(conn: Any) -> None:
    """Load sqlite-vec when it is installed (semantic search); harmless otherwise."""
    try:
        import sqlite_vec
    except ImportError:  # pragma: no cover - sqlite-vec is a declared dependency
        return
    conn.enable_load_extension(True)
    try:
        sqlite_vec.load(conn)
    finally:
        conn.enable_load_extension(False)
