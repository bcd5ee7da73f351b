"""The one COPY writer: rows into a table through PostgreSQL's COPY, in chunks (STYLE.md rule 5).

Rows are written as CSV by the csv module (C speed). In CSV, COPY reads an empty unquoted field as
NULL: None and "" both arrive as NULL, except in the `not_null` columns, where "" stays an empty
string (FORCE_NOT_NULL). Booleans, dates and numbers arrive as their str().
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any, Protocol


class CopyCursor(Protocol):
    """A psycopg2 cursor (Django's wrapper holds one as `.cursor`)."""

    def copy_expert(self, sql: str, file: Any) -> None: ...


def copy_rows(
    cursor: CopyCursor,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    not_null: Sequence[str] = (),
    chunk_rows: int = 50_000,
) -> int:
    """COPY `rows` into `table` (`columns` in row order), `chunk_rows` at a time so that memory stays
    flat whatever the number of rows; return how many were written."""
    options = "FORMAT csv"
    if not_null:
        options += ", FORCE_NOT_NULL (" + ", ".join(f'"{c}"' for c in not_null) + ")"
    column_list = ", ".join(f'"{c}"' for c in columns)
    sql = f"COPY {table} ({column_list}) FROM STDIN WITH ({options})"
    count = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, chunk_rows)):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(chunk)
        buffer.seek(0)
        cursor.copy_expert(sql, buffer)
        count += len(chunk)
    return count
