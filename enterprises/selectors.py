"""Reads shared by the import pages, the API, the command and the error report (STYLE.md: selectors)."""

from __future__ import annotations

from django.db.models import Exists, Field, OuterRef, QuerySet
from django.utils import timezone

from enterprises.choices import ImportRowAction, ImportStatus
from enterprises.importing.columns import FIELD_BY_KEY
from enterprises.models import Enterprise, RegisterImport, RegisterImportProblem, RegisterImportRow
from portal.history import FieldChange, display_value

IN_PROGRESS = (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.APPLYING)


def _enterprise_field(name: str) -> Field | None:
    return next((f for f in Enterprise._meta.concrete_fields if f.name == name), None)


def field_changes(changes: dict | None) -> list[FieldChange]:
    """A staged row's old → new pairs, labelled for people: the register column's name where the
    importer has one (columns.FIELDS), else the Enterprise field's verbose_name; values shown as the
    change log shows them (portal.history)."""
    result = []
    for name, (old, new) in (changes or {}).items():
        model_field = _enterprise_field(name)
        register_field = FIELD_BY_KEY.get(name)
        if register_field is not None:
            label = register_field.label
        else:
            label = str(model_field.verbose_name) if model_field is not None else name
        result.append(
            FieldChange(
                label,
                display_value(model_field, old, empty="（空）"),
                display_value(model_field, new, empty="（空）"),
            )
        )
    return result


def problems(register_import: RegisterImport, *, severity: str | None = None) -> QuerySet[RegisterImportProblem]:
    qs = RegisterImportProblem.objects.filter(register_import=register_import).order_by("row_number", "id")
    return qs.filter(severity=severity) if severity else qs


def changed_rows(register_import: RegisterImport) -> QuerySet[RegisterImportRow]:
    return RegisterImportRow.objects.filter(register_import=register_import, action=ImportRowAction.CHANGED).order_by(
        "row_number"
    )


def touched_rows(register_import: RegisterImport) -> QuerySet[RegisterImportRow]:
    """Provenance: the rows this applied import created or changed (each enterprise also carries
    `last_import`). Rows awaiting check-character confirmation count only if it was given."""
    qs = RegisterImportRow.objects.filter(
        register_import=register_import, action__in=[ImportRowAction.NEW, ImportRowAction.CHANGED]
    ).order_by("row_number")
    if not (register_import.summary or {}).get("confirm_warnings"):
        qs = qs.filter(needs_confirmation=False)
    return qs


def enterprise_ids_by_code(codes: list[str]) -> dict[str, int]:
    """For linking a page of staged rows to the enterprises they became (one query)."""
    return dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk"))


def missing_enterprises(register_import: RegisterImport) -> QuerySet[Enterprise]:
    """Existing (存续/在业) enterprises of the import's region that the registration list no longer
    contains: listed for review, never removed."""
    staged = RegisterImportRow.objects.filter(register_import=register_import, credit_code=OuterRef("credit_code"))
    return (
        Enterprise.objects.in_region(register_import.region)
        .in_scope()
        .filter(~Exists(staged))
        .select_related("region")
        .order_by("credit_code")
    )


def summary_lines(register_import: RegisterImport) -> list[str]:
    """The outcome in a few lines of Chinese: the command prints them, the page shows the same."""
    s = register_import.summary or {}
    lines = [f"文件：{register_import.original_name}（SHA-256 {register_import.sha256[:16]}…）"]
    if register_import.status == ImportStatus.FAILED:
        lines.append(f"失败：{register_import.failure_reason}")
        return lines
    lines.append(
        f"数据行 {register_import.total_rows}：新增 {register_import.new_count}，变更 {register_import.changed_count}，"
        f"未变 {register_import.unchanged_count}，拒绝 {register_import.rejected_count}，"
        f"校验位待确认 {register_import.warning_count}"
    )
    if register_import.status == ImportStatus.VALIDATED and not (
        register_import.new_count or register_import.changed_count or register_import.warning_count
    ):
        lines.append("与库中数据一致：确认导入不会产生任何变更")
    earlier = (
        RegisterImport.objects.filter(
            sha256=register_import.sha256, region=register_import.region, status=ImportStatus.APPLIED
        )
        .exclude(pk=register_import.pk)
        .order_by("-applied_at")
        .first()
    )
    if earlier is not None and earlier.applied_at:
        lines.append(f"同一文件（摘要相同）已于 {timezone.localtime(earlier.applied_at):%Y-%m-%d %H:%M} 导入过")
    if s.get("without_street"):
        lines.append(f"未落实到街道（只登记到区县，待落实到街道）：{s['without_street']} 行")
    if s.get("rows_with_warnings"):
        lines.append(f"有警告的行：{s['rows_with_warnings']}")
    if s.get("unknown_columns"):
        lines.append("无法识别的列（已忽略）：" + "、".join(s["unknown_columns"]))
    if s.get("new_carriers"):
        lines.append(f"将新建载体 {len(s['new_carriers'])} 个：" + "、".join(c["name"] for c in s["new_carriers"][:10]))
    if s.get("missing_from_register"):
        lines.append(f"库中存续但名单中没有的企业：{s['missing_from_register']}（仅列出待核实，不会删除）")
    if register_import.status == ImportStatus.APPLIED:
        applied = s.get("applied", {})
        lines.append(
            f"已导入：新建 {applied.get('created', 0)}，更新 {applied.get('updated', 0)}，"
            f"未确认跳过 {applied.get('skipped', 0)}"
        )
    return lines
