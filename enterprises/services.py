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
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from enterprises import selectors
from enterprises.choices import ImportRowAction, ImportSource, ImportStatus, RegistrationStatus
from enterprises.importing import apply as applying
from enterprises.importing import staging
from enterprises.importing.rows import ImportLookups
from enterprises.models import Carrier, Enterprise, RegisterImport, RegisterImportProblem
from enterprises.selectors import missing_enterprises
from portal.audit import audit_context, write_service
from portal.choices import AuditVia, RegionLevel
from portal.models import Region, User
from portal.permissions import Capability, has_capability
from portal.scoping import home_region, region_visible_to, require_in_scope, require_visible
from portal.spreadsheets import SpreadsheetError, check_file
from portal.validators import not_in_future

logger = logging.getLogger(__name__)

LEDGER_TASK = "assessments.tasks.take_snapshot_task"
IMPORT_REFUSED = "您的角色无权导入名单"


class ImportNotApplicable(ValidationError):
    """The import is not in a state that can be applied (not confirmed, cancelled, failed): the
    caller asked for something impossible, so nothing is recorded on the import."""


def import_region_for(user: User) -> Region:
    """The region an import by `user` may touch: their jurisdiction (a superuser without one: the
    root of the region tree)."""
    region = home_region(user)
    if region is not None:
        return region
    raise PermissionDenied("您没有管辖区域，不能导入名单")


def register_upload_max_bytes() -> int:
    """The largest register file accepted (web, API and command alike)."""
    return settings.REGISTER_UPLOAD_MAX_BYTES


@write_service(Capability.IMPORT_REGISTER, message=IMPORT_REFUSED)
def register_import_create(
    *, uploaded_file: File, source: str, acting_user: User, enqueue: bool = True
) -> RegisterImport:
    """Store an uploaded register file and queue its validation. Hostile or unsupported files are
    refused here, before anything is unpacked (ValidationError with the Chinese reason)."""
    if source not in ImportSource.values:
        raise ValidationError({"source": "名单类型不正确"})
    region = import_region_for(acting_user)
    name = Path(getattr(uploaded_file, "name", "") or "register").name
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > register_upload_max_bytes():
        raise ValidationError(
            {"file": f"文件过大：{size / 1048576:.1f} MB，上限 {register_upload_max_bytes() / 1048576:.0f} MB"}
        )
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
        check_file(register_import.file.path, max_bytes=register_upload_max_bytes(), original_name=name)
    except SpreadsheetError as exc:
        register_import.file.delete(save=False)
        raise ValidationError({"file": str(exc)}) from exc
    register_import.save()
    if enqueue:
        # cycle: enterprises.tasks imports this module to run the service
        from enterprises.tasks import register_import_validate_task

        pk = register_import.pk
        transaction.on_commit(lambda: register_import_validate_task.delay(pk))
    return register_import


@write_service(Capability.IMPORT_REGISTER, message=IMPORT_REFUSED)
def register_import_create_from_path(*, path: str | Path, source: str, acting_user: User) -> RegisterImport:
    """The command-line upload: same checks as the web, no queue (the command runs the steps)."""
    path = Path(path)
    with path.open("rb") as fh:
        return register_import_create(
            uploaded_file=File(fh, name=path.name), source=source, acting_user=acting_user, enqueue=False
        )


def register_file_check(path: str | Path) -> None:
    """Refuse a file that is not a usable register (SpreadsheetError with the one-line Chinese
    reason) before anything is stored or unpacked."""
    check_file(path, max_bytes=register_upload_max_bytes())


@dataclass(frozen=True)
class RegisterImportPreview:
    """What a dry run found, read before everything it wrote was rolled back."""

    status: str
    failure_reason: str
    summary_lines: list[str]
    problems: list[RegisterImportProblem]
    problem_count: int


class _PreviewRollback(Exception):
    pass


@write_service(Capability.IMPORT_REGISTER, message=IMPORT_REFUSED)
def register_import_preview(
    *, path: str | Path, source: str, acting_user: User, report_year: int | None = None, problem_limit: int = 20
) -> RegisterImportPreview:
    """The dry run (`import_register --dry-run`): the same checks, staging and classification as a
    real upload, then everything is rolled back; nothing is stored, not even the file."""

    path = Path(path)
    if source not in ImportSource.values:
        raise ValidationError({"source": "名单类型不正确"})
    register_file_check(path)
    preview: RegisterImportPreview | None = None
    try:
        with transaction.atomic():
            register_import = RegisterImport.objects.create(
                source=source,
                file=str(path),
                original_name=path.name[:255],
                sha256=_file_sha256(path),
                size=path.stat().st_size,
                region=import_region_for(acting_user),
                uploaded_by=acting_user,
            )
            register_import = register_import_validate(
                register_import_id=register_import.pk, path=path, report_year=report_year
            )
            found = selectors.problems(register_import)
            preview = RegisterImportPreview(
                status=register_import.status,
                failure_reason=register_import.failure_reason,
                summary_lines=selectors.summary_lines(register_import),
                problems=list(found[:problem_limit]),
                problem_count=found.count(),
            )
            raise _PreviewRollback
    except _PreviewRollback:
        pass
    if preview is None:  # pragma: no cover - the block above always sets it before rolling back
        raise RuntimeError("register_import_preview: no preview")
    return preview


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        # A job with no request: what it writes is attributed to the uploader, as the apply is.
        with audit_context(
            actor_id=register_import.uploaded_by_id,
            via=AuditVia.IMPORT,
            context=f"register_import:{register_import.pk}",
        ):
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
            max_bytes=register_upload_max_bytes(),
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
    register_import.new_count = counts[ImportRowAction.NEW]
    register_import.changed_count = counts[ImportRowAction.CHANGED]
    register_import.unchanged_count = counts[ImportRowAction.UNCHANGED]
    register_import.rejected_count = counts[ImportRowAction.REJECTED]
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


@write_service(Capability.IMPORT_REGISTER, message=IMPORT_REFUSED)
def register_import_confirm(
    *, register_import: RegisterImport, acting_user: User, confirm_warnings: bool = False, enqueue: bool = True
) -> RegisterImport:
    """The user confirmed the preview: record who and whether the check-character warnings are
    accepted, then queue the apply."""
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
        from enterprises.tasks import register_import_apply_task

        transaction.on_commit(lambda: register_import_apply_task.delay(locked.pk))
    return locked


@write_service(Capability.IMPORT_REGISTER, message=IMPORT_REFUSED)
def register_import_cancel(*, register_import: RegisterImport, acting_user: User) -> RegisterImport:
    """Drop a validated import that the user does not want: nothing was written, staging is freed."""
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
                raise ImportNotApplicable(f"该导入当前状态为“{register_import.get_status_display()}”，不能导入")
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
    except ImportNotApplicable:
        raise
    except (IntegrityError, ValidationError) as exc:
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


# --- Staff workspace: carriers and enterprises created, edited and ended by hand ------------------
# (portal/workspace.py calls these; the API and commands call them too: one set of messages.)

CARRIER_FIELDS = ("name", "kind", "region", "address")
# Register data: what the commerce bureau keeps (EDIT_ENTERPRISE).
ENTERPRISE_BASIC_FIELDS = (
    "credit_code",
    "credit_code_check_confirmed",
    "name",
    "kind",
    "industry",
    "industry_division",
    "region",
    "address",
    "legal_representative",
    "investor",
    "employee_count",
    "above_scale",
    "registration_status",
    "registered_on",
    "annual_report_year",
)
# Party-building data on an enterprise: only roles that may edit party work (EDIT_PARTY).
ENTERPRISE_PARTY_FIELDS = ("carrier", "legal_representative_is_member")
REGION_OUT_OF_SCOPE = "所选区域不在您的管辖范围内"
ENDED_STATUSES = (RegistrationStatus.CANCELLED, RegistrationStatus.MOVED_OUT, RegistrationStatus.REVOKED)


@write_service(Capability.EDIT_PARTY, message="您的角色无权维护载体")
def carrier_create(*, name: str, kind: str, region: Region, address: str = "", acting_user: User) -> Carrier:
    """Add a 载体. City administrators manage carriers city-wide (DOMAIN.md); district staff may
    add and maintain the carriers of their own district (EDIT_PARTY, the capability of party-work
    staff); commerce-bureau staff and leaders may not. The region must lie in acting_user's
    jurisdiction."""
    require_in_scope(region, acting_user, "region", REGION_OUT_OF_SCOPE)
    carrier = Carrier(name=(name or "").strip(), kind=kind, region=region, address=(address or "").strip())
    carrier.full_clean()
    carrier.save()
    return carrier


@write_service(Capability.EDIT_PARTY, message="您的角色无权维护载体")
def carrier_update(
    *, carrier: Carrier, name: str, kind: str, region: Region, address: str = "", acting_user: User
) -> Carrier:
    """Edit a 载体 of acting_user's region (same rule as carrier_create); it may not be moved out of
    their jurisdiction."""
    require_visible(carrier, acting_user, "该载体不在您的管辖区域内")
    require_in_scope(region, acting_user, "region", REGION_OUT_OF_SCOPE)
    carrier.name, carrier.kind, carrier.region, carrier.address = (name or "").strip(), kind, region, address or ""
    carrier.full_clean()
    carrier.save()
    return carrier


@write_service(Capability.EDIT_PARTY, message="您的角色无权维护载体")
def carrier_end(*, carrier: Carrier, ended_on: date, reason: str = "", acting_user: User) -> Carrier:
    """停用 a 载体 (it stays, with its enterprises and organizations; never deleted). Its enterprises
    keep the link, so past ledgers still read; new enterprises cannot be put on it."""
    require_visible(carrier, acting_user, "该载体不在您的管辖区域内")
    if carrier.ended_on is not None:
        raise ValidationError({"ended_on": f"该载体已于 {carrier.ended_on:%Y-%m-%d} 停用"})
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写停用日期"})
    not_in_future(ended_on, "ended_on", "停用日期")
    if ended_on < carrier.created_at.date():
        raise ValidationError({"ended_on": "停用日期不能早于载体登记日期"})
    carrier.ended_on, carrier.end_reason = ended_on, (reason or "").strip()
    carrier.full_clean()
    carrier.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return carrier


def _check_enterprise_fields(enterprise: Enterprise, fields: dict[str, Any], acting_user: User) -> None:
    unknown = set(fields) - set(ENTERPRISE_BASIC_FIELDS) - set(ENTERPRISE_PARTY_FIELDS)
    if unknown:
        raise TypeError(f"unknown enterprise fields: {sorted(unknown)}")
    party_changes = [
        name for name in ENTERPRISE_PARTY_FIELDS if name in fields and fields[name] != getattr(enterprise, name)
    ]
    if party_changes and not has_capability(acting_user, Capability.EDIT_PARTY):
        raise PermissionDenied("您的角色只能维护企业基础信息，不能修改所属载体或党员情况")
    require_in_scope(fields.get("region"), acting_user, "region", REGION_OUT_OF_SCOPE)
    carrier = fields.get("carrier")
    if carrier is not None and carrier != enterprise.carrier:
        if not Carrier.objects.visible_to(acting_user).filter(pk=carrier.pk).exists():
            raise ValidationError({"carrier": "所选载体不在您的管辖区域内"})
        if carrier.ended_on is not None:
            raise ValidationError({"carrier": f"载体“{carrier.name}”已停用，不能再归入企业"})


def _save_enterprise(enterprise: Enterprise, fields: dict[str, Any]) -> Enterprise:
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(enterprise, name, value)
    if "credit_code" in fields:
        enterprise.credit_code = (enterprise.credit_code or "").upper()
    enterprise.full_clean()
    enterprise.save()
    return enterprise


@write_service(Capability.EDIT_ENTERPRISE, message="您的角色无权维护企业信息")
def enterprise_create(*, acting_user: User, **fields: Any) -> Enterprise:
    """Add an enterprise by hand (one the register does not list yet). Fields: the register data
    (ENTERPRISE_BASIC_FIELDS; commerce-bureau and district staff) and the party-building data
    (ENTERPRISE_PARTY_FIELDS; roles with EDIT_PARTY only). The region and the carrier must be in
    acting_user's jurisdiction; a credit code whose check character fails is refused unless
    `credit_code_check_confirmed` (a legitimate early code, as the importer allows)."""
    enterprise = Enterprise()
    _check_enterprise_fields(enterprise, fields, acting_user)
    return _save_enterprise(enterprise, fields)


@write_service(Capability.EDIT_ENTERPRISE, message="您的角色无权维护企业信息")
def enterprise_update(*, enterprise: Enterprise, acting_user: User, **fields: Any) -> Enterprise:
    """Edit an enterprise of acting_user's region (same field rules as enterprise_create). Ending
    it goes through enterprise_deregister (with its date), not through registration_status here."""
    require_visible(enterprise, acting_user, "该企业不在您的管辖区域内")
    status = fields.get("registration_status")
    if status in ENDED_STATUSES and status != enterprise.registration_status:
        raise ValidationError({"registration_status": "注销、迁出或吊销请使用“注销/迁出”办理，并填写日期"})
    _check_enterprise_fields(enterprise, fields, acting_user)
    return _save_enterprise(enterprise, fields)


@write_service(Capability.EDIT_ENTERPRISE, message="您的角色无权维护企业信息")
def enterprise_deregister(
    *, enterprise: Enterprise, registration_status: str, ended_on: date, reason: str = "", acting_user: User
) -> Enterprise:
    """注销 / 迁出 / 吊销: the enterprise leaves the ledger's scope (only 存续/在业 count) from
    `ended_on`; the row, its members and its history stay (never a delete)."""
    require_visible(enterprise, acting_user, "该企业不在您的管辖区域内")
    if registration_status not in ENDED_STATUSES:
        raise ValidationError({"registration_status": "请选择注销、迁出或吊销"})
    if enterprise.registration_status in ENDED_STATUSES:
        raise ValidationError(
            {"registration_status": f"该企业已是“{enterprise.get_registration_status_display()}”状态"}
        )
    if ended_on is None:
        raise ValidationError({"ended_on": "请填写日期"})
    not_in_future(ended_on, "ended_on", "注销/迁出日期")
    if enterprise.registered_on and ended_on < enterprise.registered_on:
        raise ValidationError({"ended_on": "注销/迁出日期不能早于注册日期"})
    enterprise.registration_status = registration_status
    enterprise.deregistered_on = ended_on
    enterprise.full_clean()
    enterprise.save(update_fields=["registration_status", "deregistered_on", "updated_at"])
    return enterprise


# --- 落实到街道: enterprises registered only at district level placed on a street, in bulk --------


@write_service(Capability.EDIT_ENTERPRISE, message="您的角色无权维护企业信息")
def enterprise_place_bulk(*, placements: dict[int, int], acting_user: User) -> int:
    """落实到街道: move each enterprise (id → street or town id) from its district to one of that
    district's streets or towns, in one UPDATE (audited by the table's statement trigger). Every
    enterprise must be in acting_user's region and still registered at district level, every
    street a child of its district; an enterprise on a carrier of another street is refused (the
    carrier rule of Enterprise.clean). Nothing is written unless every placement is valid.
    Returns the number of enterprises placed."""
    if not placements:
        raise ValidationError({"placements": "请至少勾选一家企业"})
    enterprises = {
        e.pk: e
        for e in Enterprise.objects.visible_to(acting_user)
        .filter(pk__in=list(placements))
        .select_related("region", "carrier__region")
    }
    streets = Region.objects.in_bulk(list(set(placements.values())))
    visible_streets = set(region_visible_to(acting_user).filter(pk__in=list(streets)).values_list("pk", flat=True))
    problems = []
    for enterprise_id, street_id in placements.items():
        enterprise, street = enterprises.get(enterprise_id), streets.get(street_id)
        if enterprise is None:
            raise PermissionDenied("所选企业不存在或不在您的管辖区域内")
        carrier = enterprise.carrier
        if street is None or street_id not in visible_streets:
            problems.append(f"{enterprise.name}：所选街道不存在或不在您的管辖区域内")
        elif enterprise.region.level != RegionLevel.DISTRICT:
            problems.append(f"{enterprise.name}：已落实到{enterprise.region.name}")
        elif street.parent_id != enterprise.region_id or street.level != RegionLevel.STREET:
            problems.append(f"{enterprise.name}：{street.name}不是{enterprise.region.name}的街道乡镇")
        elif carrier is not None and not street.path.startswith(carrier.region.path[: len(street.path)]):
            problems.append(f"{enterprise.name}：所属载体“{carrier.name}”不在{street.name}")
    if problems:
        raise ValidationError({"placements": problems})
    region_by_id = Case(
        *(When(pk=enterprise_id, then=Value(street_id)) for enterprise_id, street_id in placements.items()),
        output_field=IntegerField(),
    )
    return Enterprise.objects.filter(pk__in=list(placements)).update(region_id=region_by_id, updated_at=timezone.now())
