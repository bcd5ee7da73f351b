"""Thin Celery tasks for register imports: an id in, one service call, retries owned here.

Both steps are safe to run again: validation restarts from scratch, the apply is one idempotent
transaction. `acks_late` (settings) hands the message of a worker that died to the next worker.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from enterprises import services


@shared_task(
    name="enterprises.tasks.validate_register_import",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
)
def validate_register_import(register_import_id: int) -> None:
    services.register_import_validate(register_import_id=register_import_id)


@shared_task(
    name="enterprises.tasks.apply_register_import",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
)
def apply_register_import(register_import_id: int) -> None:
    services.register_import_apply(register_import_id=register_import_id)
