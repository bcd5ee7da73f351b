"""Shared bench plumbing: a separate database, timing and peak memory."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import django
import psycopg2
from django.core.management import call_command
from psycopg2 import sql

from portal import embedded


def setup_django(database: str = "portal_bench") -> None:
    """Point Django at a dedicated bench database on the same server, migrate it, set up Django."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "true")

    # No DATABASE_URL: the embedded server, as `make run` and `make test` use it. Its URL names the
    # socket directory in the query (?host=...), which dj_database_url leaves in OPTIONS.
    base = os.environ.get("DATABASE_URL") or embedded.database_url()
    params = dj_database_url.parse(base)
    conn = psycopg2.connect(
        dbname="postgres",
        user=params["USER"] or "postgres",
        password=params["PASSWORD"] or None,
        host=params["HOST"] or params["OPTIONS"].get("host") or None,
        port=params["PORT"] or params["OPTIONS"].get("port") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    conn.close()
    url = urlsplit(base)
    os.environ["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{database}"))

    django.setup()
    call_command("migrate", verbosity=0)


@contextmanager
def timed(label: str, results: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    results[label] = time.perf_counter() - started


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
