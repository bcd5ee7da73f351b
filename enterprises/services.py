"""Writes that carry the rules of the enterprises app (STYLE.md: services).

Register import status machine (RegisterImport.status):

    UPLOADED → VALIDATING → VALIDATED → APPLYING → APPLIED
                   ↘ FAILED (file unusable)  ↘ FAILED (apply refused by the database; nothing written)

Validation is restartable (it clears what an earlier run staged); the apply is one transaction and
idempotent, so a worker that died in either step is simply run again (tasks are acks_late).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from enterprises.choices import ImportSource, ImportStatus
from enterprises.importing import apply as applying
from enterprises.importing import staging
from enterprises.importing.rows import ImportLookups
from enterprises.models import RegisterImport
from enterprises.selectors import missing_enterprises
from portal.audit import audit_context
from portal.choices import AuditVia
from portal.models import Region, User
from portal.permissions import Capability, has_capability
from portal.spreadsheets import SpreadsheetError, check_file

logger = logging.getLogger(__name__)

LEDGER_TASK = "assessments.tasks.take_snapshot"


def import_region_for(user: User) -> Region:
    """The region an import by `user` may touch: their jurisdiction (a superuser without one: the
    root of the region tree)."""
    if user.jurisdiction is not None:  # no query when there is none
        return user.jurisdiction
    if user.is_superuser:
        root = Region.objects.filter(parent__isnull=True).order_by("path").first()
        if root is not None:
            return root
    raise PermissionDenied("您没有管辖区域，不能导入名单")


def _max_bytes() -> int:
    return settings.REGISTER_UPLOAD_MAX_BYTES


def register_import_create(
    *, uploaded_file: File, source: str, acting_user: User, enqueue: bool = True
) -> RegisterImport:
    """Store an uploaded register file and queue its validation. Hostile or unsupported files are
    refused here, before anything is unpacked (ValidationError with the Chinese reason)."""
    if not has_capability(acting_user, Capability.IMPORT_REGISTER):
        raise PermissionDenied("您的角色无权导入名单")
    if source not in ImportSource.values:
        raise ValidationError({"source": "名单类型不正确"})
    region = import_region_for(acting_user)
    name = Path(getattr(uploaded_file, "name", "") or "register").name
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > _max_bytes():
        raise ValidationError({"file": f"文件过大：{size / 1048576:.1f} MB，上限 {_max_bytes() / 1048576:.0f} MB"})
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    register_import = RegisterImport(
        source=source,
        original_name=name[:255],
        sha256=digest.hexdigest(),
        size=uploaded_file.size,
        region=region,
        uploaded_by=acting_user,
    )
    register_import.file.save(name, uploaded_file, save=False)
    try:
        check_file(register_import.file.path, max_bytes=_max_bytes(), original_name=name)
    except SpreadsheetError as exc:
        register_import.file.delete(save=False)
        raise ValidationError({"file": str(exc)}) from exc
    register_import.save()
    if enqueue:
        # cycle: enterprises.tasks imports this module to run the service
        from enterprises.tasks import validate_register_import

        pk = register_import.pk
        transaction.on_commit(lambda: validate_register_import.delay(pk))
    return register_import


def register_import_create_from_path(*, path: str | Path, source: str, acting_user: User) -> RegisterImport:
    """The command-line upload: same checks as the web, no queue (the command runs the steps)."""
    path = Path(path)
    with path.open("rb") as fh:
        return register_import_create(
            uploaded_file=File(fh, name=path.name), source=source, acting_user=acting_user, enqueue=False
        )


def _set_progress(import_id: int, progress: int) -> None:
    RegisterImport.objects.filter(pk=import_id).update(progress=min(max(progress, 0), 100))


def register_import_validate(
    *, register_import_id: int, path: str | Path | None = None, report_year: int | None = None
) -> RegisterImport:
    """Read, check and stage every row, then classify them (the preview). An unusable file ends in
    FAILED with its one-line reason; a crash leaves VALIDATING, and running this again starts over."""
    register_import = RegisterImport.objects.select_related("region").get(pk=register_import_id)
    if register_import.status in (ImportStatus.APPLYING, ImportStatus.APPLIED, ImportStatus.CANCELLED):
        return register_import
    if not _advisory_lock(register_import.pk):
        return register_import  # a redelivered task while the first one still runs: leave it be
    try:
        return _validate(register_import, path=path, report_year=report_year)
    finally:
        _advisory_unlock(register_import.pk)


_LOCK_NAMESPACE = 7301  # pg advisory locks of register-import validation: (namespace, import id)


def _advisory_lock(import_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, import_id])
        return cursor.fetchone()[0]


def _advisory_unlock(import_id: int) -> None:
    if connection.connection is None or connection.needs_rollback:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, import_id])


def _validate(register_import: RegisterImport, *, path: str | Path | None, report_year: int | None) -> RegisterImport:
    register_import.status = ImportStatus.VALIDATING
    register_import.progress = 1
    register_import.failure_reason = ""
    register_import.save(update_fields=["status", "progress", "failure_reason"])
    report_year = report_year or timezone.localdate().year - 1
    try:
        lookups = ImportLookups.load(register_import.region, report_year=report_year)
        result = staging.stage_file(
            import_id=register_import.pk,
            path=path or register_import.file.path,
            original_name=register_import.original_name,
            max_bytes=_max_bytes(),
            lookups=lookups,
            progress_span=(1, 85),
        )
        _set_progress(register_import.pk, 88)
        staging.classify(import_id=register_import.pk, jurisdiction_path=register_import.region.path)
        counts = staging.counts(register_import.pk)
    except SpreadsheetError as exc:
        staging.clear_staging(register_import.pk)
        return _fail(register_import, str(exc))
    except Exception:
        logger.exception("register import %s: validation crashed", register_import.pk)
        _fail(register_import, "校验时发生内部错误，可重新上传或联系管理员")
        raise
    missing = 0
    if register_import.source == ImportSource.REGISTRATION:
        missing = missing_enterprises(register_import).count()
    register_import.total_rows = result.total_rows
    register_import.new_count = counts["NEW"]
    register_import.changed_count = counts["CHANGED"]
    register_import.unchanged_count = counts["UNCHANGED"]
    register_import.rejected_count = counts["REJECTED"]
    register_import.warning_count = counts["PENDING"]
    register_import.summary = {
        "sheet": result.sheet_name,
        "header_row": result.header_row,
        "columns": result.columns,
        "unknown_columns": result.unknown_columns,
        "new_carriers": result.new_carriers,
        "rows_with_warnings": counts["ROWS_WITH_WARNINGS"],
        "without_street": counts["WITHOUT_STREET"],
        "missing_from_register": missing,
        "report_year": report_year,
    }
    register_import.status = ImportStatus.VALIDATED
    register_import.progress = 100
    register_import.validated_at = timezone.now()
    register_import.save()
    return register_import


def _fail(register_import: RegisterImport, reason: str) -> RegisterImport:
    register_import.status = ImportStatus.FAILED
    register_import.failure_reason = reason[:1000]
    register_import.progress = 100
    register_import.save(update_fields=["status", "failure_reason", "progress"])
    return register_import


def register_import_confirm(
    *, register_import: RegisterImport, acting_user: User, confirm_warnings: bool = False, enqueue: bool = True
) -> RegisterImport:
    """The user confirmed the preview: record who and whether the check-character warnings are
    accepted, then queue the apply."""
    if not has_capability(acting_user, Capability.IMPORT_REGISTER):
        raise PermissionDenied("您的角色无权导入名单")
    with transaction.atomic():
        locked = RegisterImport.objects.select_for_update().get(pk=register_import.pk)
        if locked.status != ImportStatus.VALIDATED:
            raise ValidationError(f"该导入当前状态为“{locked.get_status_display()}”，不能确认")
        locked.status = ImportStatus.APPLYING
        locked.progress = 50
        locked.confirmed_by = acting_user
        locked.summary = {**locked.summary, "confirm_warnings": bool(confirm_warnings)}
        locked.save(update_fields=["status", "progress", "confirmed_by", "summary"])
        if enqueue:
            # cycle: enterprises.tasks imports this module to run the service
            from enterprises.tasks import apply_register_import

            transaction.on_commit(lambda: apply_register_import.delay(locked.pk))
    return locked


def register_import_cancel(*, register_import: RegisterImport, acting_user: User) -> RegisterImport:
    """Drop a validated import that the user does not want: nothing was written, staging is freed."""
    if not has_capability(acting_user, Capability.IMPORT_REGISTER):
        raise PermissionDenied("您的角色无权导入名单")
    with transaction.atomic():
        locked = RegisterImport.objects.select_for_update().get(pk=register_import.pk)
        if locked.status not in (ImportStatus.VALIDATED, ImportStatus.FAILED):
            raise ValidationError(f"该导入当前状态为“{locked.get_status_display()}”，不能取消")
        locked.status = ImportStatus.CANCELLED
        locked.save(update_fields=["status"])
        staging.clear_staging(locked.pk)
    return locked


def register_import_apply(*, register_import_id: int) -> RegisterImport:
    """Apply a confirmed import atomically: carriers, then one upsert of every new and changed row,
    attributed to the confirming user (audit via='import'). Already applied → nothing happens."""
    try:
        with transaction.atomic():
            register_import = RegisterImport.objects.select_for_update().get(pk=register_import_id)
            if register_import.status == ImportStatus.APPLIED:
                return register_import
            if register_import.status != ImportStatus.APPLYING:
                raise ValidationError(f"该导入当前状态为“{register_import.get_status_display()}”，不能导入")
            if register_import.rows.count() != register_import.total_rows:
                # Staging is UNLOGGED: a database crash since the preview emptied it.
                return _fail(register_import, "服务器重启后暂存的预览数据已丢失，未写入任何数据，请重新上传")
            actor_id = register_import.confirmed_by_id or register_import.uploaded_by_id
            with audit_context(actor_id=actor_id, via=AuditVia.IMPORT, context=f"register_import:{register_import.pk}"):
                applying.create_carriers(new_carriers=register_import.summary.get("new_carriers", []))
                outcome = applying.apply_rows(
                    import_id=register_import.pk,
                    confirm_warnings=bool(register_import.summary.get("confirm_warnings")),
                )
            register_import.new_count = outcome["created"]
            register_import.changed_count = outcome["updated"]
            register_import.summary = {**register_import.summary, "applied": outcome}
            register_import.status = ImportStatus.APPLIED
            register_import.progress = 100
            register_import.applied_at = timezone.now()
            register_import.save()
            pk = register_import.pk
            transaction.on_commit(lambda: request_ledger_refresh(pk))
            return register_import
    except (IntegrityError, ValidationError) as exc:
        if isinstance(exc, ValidationError) and "不能导入" in str(exc):
            raise
        logger.exception("register import %s: apply refused", register_import_id)
        register_import = RegisterImport.objects.get(pk=register_import_id)
        return _fail(register_import, f"导入被数据库拒绝，未写入任何数据：{str(exc)[:200]}")
    except DatabaseError:
        logger.exception("register import %s: apply failed, will be retried", register_import_id)
        raise


def request_ledger_refresh(register_import_id: int) -> None:
    """The coverage ledger is the layer above: ask for a fresh snapshot by task name, never import it."""
    try:
        current_app.send_task(LEDGER_TASK, kwargs={"reason": f"register_import:{register_import_id}"})
    except Exception:  # a broker outage must not undo a committed import
        logger.exception("register import %s: could not queue the ledger snapshot", register_import_id)
