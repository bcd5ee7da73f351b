"""Thin Celery tasks for register imports: an id in, one service call, retries owned here.

Each task is named after its service with a `_task` suffix (`register_import_validate` →
`register_import_validate_task`). Both steps are safe to run again: validation restarts from
scratch, the apply is one idempotent transaction. `acks_late` (settings) hands the message of a
worker that died to the next worker.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from enterprises import services

RETRIES = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 5, "max_retries": 3}


@shared_task(name="enterprises.tasks.register_import_validate_task", **RETRIES)
def register_import_validate_task(register_import_id: int) -> None:
    """Runs with no user: the validation writes only the import's own staging and status."""
    services.register_import_validate(register_import_id=register_import_id)


@shared_task(name="enterprises.tasks.register_import_apply_task", **RETRIES)
def register_import_apply_task(register_import_id: int) -> None:
    """Runs with no user: the service attributes the apply to whoever confirmed (or uploaded) it."""
    services.register_import_apply(register_import_id=register_import_id)


# The names these tasks had before the rename. A message queued by the previous release (acks_late
# keeps it in the broker until a worker finishes it) still carries the old name; these aliases run
# it. Remove them once no worker of the previous release can have left a message behind.
@shared_task(name="enterprises.tasks.validate_register_import", **RETRIES)
def validate_register_import(register_import_id: int) -> None:
    services.register_import_validate(register_import_id=register_import_id)


@shared_task(name="enterprises.tasks.apply_register_import", **RETRIES)
def apply_register_import(register_import_id: int) -> None:
    services.register_import_apply(register_import_id=register_import_id)
