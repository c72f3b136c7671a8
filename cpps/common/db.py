"""Database helpers for the few hand-written statements on hot paths."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper


@contextmanager
def planned_once_cursor() -> Iterator[CursorWrapper]:
    """A PostgreSQL cursor whose repeated statements are planned once per connection.

    Django binds parameters on the client, so PostgreSQL parses and plans every statement
    afresh; for a statement with several data-modifying parts, planning costs more than running
    it. This cursor binds on the server instead, and psycopg prepares a statement once it has
    run a few times on a connection (``prepare_threshold``, set from DATABASE_PREPARE_AFTER).
    Use it only for statements written for server-side binding: a typed placeholder wherever
    PostgreSQL cannot infer the type (``%(area)s::bigint`` for a value that may be NULL).
    Rows come back as psycopg loads them, without Django's time-zone handling: return ids.
    """
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    # django-stubs declares the raw cursor these wrap as a CursorWrapper.
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    wrapped = wrap(raw)  # type: ignore[arg-type]
    try:
        yield wrapped
    finally:
        raw.close()


def hot_path_cursor() -> AbstractContextManager[CursorWrapper]:
    """`planned_once_cursor` on PostgreSQL, Django's own cursor elsewhere: for a hand-written
    statement every database runs as written."""
    if connection.vendor == "postgresql":
        return planned_once_cursor()
    return connection.cursor()


def binary_row(sql: str, parameters: Sequence[object]) -> tuple[Any, ...] | None:
    """One row of a PostgreSQL query, read in binary format: a large ``bytea`` comes back as
    its bytes, not as hex text twice its size to decode. Values come back as psycopg loads
    them (no Django conversions): use it for bytes and numbers."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, parameters, binary=True)
        row = cursor.fetchone()
    return None if row is None else tuple(row)
