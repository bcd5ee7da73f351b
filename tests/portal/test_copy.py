"""portal.copy: the one COPY writer (seed and register staging)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from portal.copy import copy_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def scratch():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copy_scratch (id int, label text, note text NOT NULL, flag boolean, day date)"
        )
        yield cursor
        cursor.execute("DROP TABLE copy_scratch")


def fetch(cursor) -> list[tuple]:
    cursor.execute("SELECT id, label, note, flag, day FROM copy_scratch ORDER BY id")
    return cursor.fetchall()


def test_values_arrive_as_written_whatever_their_characters(scratch):
    awkward = 'a,b "quoted"\ttab\nnew line \\ backslash，中文'
    rows = [(1, awkward, "x", True, dt.date(2026, 11, 1)), (2, "plain", "y", False, None)]
    written = copy_rows(scratch.cursor, "copy_scratch", ["id", "label", "note", "flag", "day"], rows)
    assert written == 2
    assert fetch(scratch) == [(1, awkward, "x", True, dt.date(2026, 11, 1)), (2, "plain", "y", False, None)]


def test_blank_is_null_except_in_not_null_columns(scratch):
    copy_rows(
        scratch.cursor,
        "copy_scratch",
        ["id", "label", "note"],
        [(1, "", ""), (2, None, "")],
        not_null=["note"],
    )
    assert fetch(scratch) == [(1, None, "", None, None), (2, None, "", None, None)]


def test_rows_are_sent_in_chunks_from_any_iterable(scratch):
    rows = ((i, f"row {i}", "n") for i in range(1, 1002))
    assert copy_rows(scratch.cursor, "copy_scratch", ["id", "label", "note"], rows, chunk_rows=100) == 1001
    scratch.execute("SELECT count(*), max(id) FROM copy_scratch")
    assert scratch.fetchone() == (1001, 1001)


def test_nothing_to_write_writes_nothing(scratch):
    assert copy_rows(scratch.cursor, "copy_scratch", ["id"], []) == 0
    assert fetch(scratch) == []
