"""Staging: read and validate every row, COPY rows and problems in, classify them in SQL.

Restartable: staging first deletes whatever an earlier (crashed) run of the same import left.
Nothing here touches `enterprises_enterprise`.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from enterprises.choices import ProblemSeverity
from enterprises.importing.columns import FIELD_BY_KEY, REQUIRED_KEYS, ColumnMap, header_score
from enterprises.importing.rows import PROBLEM_COLUMNS, STAGE_COLUMNS, ImportLookups, RowNormalizer
from portal.choices import RegionLevel
from portal.copy import copy_rows
from portal.spreadsheets import SpreadsheetError, Table, check_file, open_table

CHUNK_ROWS = 20_000
BULK_WORK_MEM = "256MB"  # per bulk statement of one import, set LOCAL to its transaction
MAX_ROWS = 2_000_000

ROW_TABLE = "enterprises_registerimportrow"
PROBLEM_TABLE = "enterprises_registerimportproblem"


@dataclass
class StageResult:
    total_rows: int
    sheet_name: str
    header_row: int
    columns: list[str]
    unknown_columns: list[str]
    new_carriers: list[dict]


def open_register(path: str | Path, *, max_bytes: int, original_name: str | None = None) -> Table:
    """Check a register file for hostility and find its header, or raise SpreadsheetError."""
    kind = check_file(path, max_bytes=max_bytes, original_name=original_name)
    return open_table(path, kind, header_score=header_score, min_score=len(REQUIRED_KEYS))


class _ChunkCopier:
    """COPYs chunks from a helper thread on the import's own connection (so a dry run's transaction
    still covers them): PostgreSQL ingests one chunk while Python normalizes the next. psycopg2
    serializes use of the connection; only this thread uses it until close(), progress updates
    included (so the bar moves as rows land)."""

    def __init__(self, psycopg_cursor, *, import_id: int, progress_span: tuple[int, int]) -> None:
        self.cursor = psycopg_cursor
        self.import_id = import_id
        self.progress_span = progress_span
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="register-import-copy", daemon=True)
        self.thread.start()

    def put(self, rows: list, problems: list, fraction: float) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((rows, problems, fraction))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue
            rows, problems, fraction = item
            low, high = self.progress_span
            try:
                copy_rows(self.cursor, ROW_TABLE, STAGE_COLUMNS, rows, not_null=("credit_code", "action"))
                copy_rows(self.cursor, PROBLEM_TABLE, PROBLEM_COLUMNS, problems, not_null=("column", "value"))
                self.cursor.execute(
                    "UPDATE enterprises_registerimport SET progress = %s WHERE id = %s",
                    [low + int(fraction * (high - low)), self.import_id],
                )
            except BaseException as exc:
                self.error = exc

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def clear_staging(import_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROW_TABLE} WHERE register_import_id = %s", [import_id])  # noqa: S608
        cursor.execute(f"DELETE FROM {PROBLEM_TABLE} WHERE register_import_id = %s", [import_id])  # noqa: S608


def stage_file(
    *,
    import_id: int,
    path: str | Path,
    original_name: str,
    max_bytes: int,
    lookups: ImportLookups,
    progress_span: tuple[int, int] = (1, 85),
) -> StageResult:
    """Read, normalize and COPY every row of the file; raise SpreadsheetError if it is unusable."""
    table = open_register(path, max_bytes=max_bytes, original_name=original_name)
    columns = ColumnMap.from_header(table.header)
    normalizer = RowNormalizer(import_id=import_id, columns=columns, lookups=lookups, width=len(table.header))
    clear_staging(import_id)
    header_problems = [
        (
            import_id,
            table.header_row,
            text,
            ProblemSeverity.WARNING,
            "unknown_column",
            f"无法识别的列“{text}”，已忽略",
            "",
        )
        for _position, text in columns.unknown
    ] + [
        (
            import_id,
            table.header_row,
            text,
            ProblemSeverity.WARNING,
            "duplicate_column",
            f"重复的列“{text}”，只读取第一列",
            "",
        )
        for _position, text in columns.duplicate
    ]
    total = 0
    rows: list = []
    problems: list = header_problems
    with connection.cursor() as cursor:
        copier = _ChunkCopier(cursor.cursor, import_id=import_id, progress_span=progress_span)
        try:
            for number, cells in table.rows:
                staged, row_problems = normalizer.normalize(number, cells)
                if staged is None:
                    continue
                total += 1
                rows.append(staged)
                if row_problems:
                    problems.extend(row_problems)
                if len(rows) >= CHUNK_ROWS:
                    if total > MAX_ROWS:
                        raise SpreadsheetError(f"文件超过 {MAX_ROWS:,} 行上限，请拆分后导入")
                    copier.put(rows, problems, table.progress())
                    rows, problems = [], []
            copier.put(rows, problems, 1.0)
        finally:
            copier.close()
    if total == 0:
        raise SpreadsheetError("表头下没有数据行")
    return StageResult(
        total_rows=total,
        sheet_name=table.sheet_name,
        header_row=table.header_row,
        columns=[FIELD_BY_KEY[key].label for key in columns.index],
        unknown_columns=[text for _p, text in columns.unknown],
        new_carriers=[
            {"district_id": district_id, "name": name, "kind": kind}
            for (district_id, name), kind in sorted(normalizer.new_carriers.items())
        ],
    )


# --- Classification in SQL ---------------------------------------------------------------------------

# Per field: (staged expression, stored expression, "changed" condition). A NULL staged value never
# counts as a change: blank cells do not erase stored data.
_DIFF_FIELDS = (
    ("name", "s.name", "e.name", "s.name IS DISTINCT FROM e.name"),
    ("kind", "s.kind", "e.kind", "s.kind IS DISTINCT FROM e.kind"),
    ("industry", "s.industry", "e.industry", "s.industry IS DISTINCT FROM e.industry"),
    ("region", "nr.name", "er.name", "NOT er.path LIKE sr.path || '%%'"),
    (
        "carrier",
        "s.carrier_name",
        "ec.name",
        "(s.carrier_id IS NULL OR s.carrier_id IS DISTINCT FROM e.carrier_id)",
    ),
    ("employee_count", "s.employee_count", "e.employee_count", "s.employee_count IS DISTINCT FROM e.employee_count"),
    ("registered_on", "s.registered_on", "e.registered_on", "s.registered_on IS DISTINCT FROM e.registered_on"),
    (
        "annual_report_year",
        "s.annual_report_year",
        "e.annual_report_year",
        "(e.annual_report_year IS NULL OR s.annual_report_year > e.annual_report_year)",
    ),
    (
        "registration_status",
        "s.registration_status",
        "e.registration_status",
        "s.registration_status IS DISTINCT FROM e.registration_status",
    ),
    (
        "legal_representative",
        "s.legal_representative",
        "e.legal_representative",
        "s.legal_representative IS DISTINCT FROM e.legal_representative",
    ),
    ("address", "s.address", "e.address", "s.address IS DISTINCT FROM e.address"),
    ("investor", "s.investor", "e.investor", "s.investor IS DISTINCT FROM e.investor"),
    ("above_scale", "s.above_scale", "e.above_scale", "s.above_scale IS DISTINCT FROM e.above_scale"),
)
DIFF_FIELD_NAMES = tuple(f[0] for f in _DIFF_FIELDS)


def _staged_null(name: str, new: str) -> str:
    if name == "carrier":
        return "s.carrier_name IS NULL"
    if name == "region":
        return "s.region_id IS NULL"
    return f"{new} IS NULL"


def _changed_sql() -> str:
    """True when any field the file states differs from the stored enterprise."""
    return " OR ".join(f"(NOT ({_staged_null(name, new)}) AND {changed})" for name, new, _old, changed in _DIFF_FIELDS)


def _changes_sql() -> str:
    """The changed fields as {"field": [old, new]}; built only for rows that changed."""
    parts = []
    for name, new, old, changed in _DIFF_FIELDS:
        parts.append(
            f"'{name}', CASE WHEN NOT ({_staged_null(name, new)}) AND {changed} "
            f"THEN jsonb_build_array(to_jsonb({old}), to_jsonb({new})) END"
        )
    return (
        f"CASE WHEN {_changed_sql()} THEN jsonb_strip_nulls(jsonb_build_object(" + ", ".join(parts) + ")) "
        "ELSE '{}'::jsonb END"
    )


def classify(*, import_id: int, jurisdiction_path: str) -> None:
    """Duplicates, then new / changed (old → new per field) / unchanged, in a few set-based statements.

    Hash joins are forced (see apply.apply_rows) and the staged rows analyzed first, so the plan
    stays linear whatever the statistics of the enterprise table say."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ROW_TABLE}")
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'")  # hash joins of a million rows in memory
        # A credit code twice in one file: every occurrence is rejected, each naming the others.
        cursor.execute(
            f"""
            WITH dup AS (
                SELECT s.id, s.row_number, s.credit_code,
                       array_agg(s.row_number) OVER (PARTITION BY s.credit_code) AS rows_with_code,
                       count(*) OVER (PARTITION BY s.credit_code) AS n
                  FROM {ROW_TABLE} s
                 WHERE s.register_import_id = %(id)s AND s.credit_code <> ''
                   AND s.credit_code IN (
                       SELECT credit_code FROM {ROW_TABLE}
                        WHERE register_import_id = %(id)s AND credit_code <> ''
                        GROUP BY credit_code HAVING count(*) > 1)
            ), marked AS (
                UPDATE {ROW_TABLE} s SET action = 'REJECTED'
                  FROM dup WHERE dup.id = s.id
                RETURNING s.id
            )
            INSERT INTO {PROBLEM_TABLE} (register_import_id, row_number, "column", severity, code, message, value)
            SELECT %(id)s, dup.row_number, %(label)s, %(error)s, 'duplicate',
                   '统一社会信用代码在本文件中重复（第 ' ||
                   array_to_string(ARRAY(SELECT unnest(dup.rows_with_code) ORDER BY 1), '、') || ' 行）',
                   dup.credit_code
              FROM dup
            """,  # noqa: S608
            {"id": import_id, "label": FIELD_BY_KEY["credit_code"].label, "error": ProblemSeverity.ERROR},
        )
        # Rows of enterprises already stored: keep a more precise stored region inside the same
        # district, refuse enterprises registered outside the jurisdiction, compute old → new.
        # The refusal never names where the enterprise is registered: any credit code can be typed
        # into a file, and the preview must not become a way to locate it.
        cursor.execute(
            f"""
            UPDATE {ROW_TABLE} t
               SET enterprise_id = d.enterprise_id,
                   region_id = d.region_id,
                   needs_confirmation = d.needs_confirmation,
                   action = CASE WHEN NOT d.inside THEN 'REJECTED'
                                 WHEN d.changes = '{{}}'::jsonb THEN 'UNCHANGED' ELSE 'CHANGED' END,
                   changes = CASE WHEN d.inside THEN d.changes END
              FROM (
                SELECT s.id, e.id AS enterprise_id,
                       CASE WHEN er.path LIKE sr.path || '%%' THEN e.region_id ELSE s.region_id END AS region_id,
                       s.needs_confirmation AND NOT e.credit_code_check_confirmed AS needs_confirmation,
                       er.path LIKE %(jurisdiction)s || '%%' AS inside,
                       {_changes_sql()} AS changes
                  FROM {ROW_TABLE} s
                  JOIN enterprises_enterprise e ON e.credit_code = s.credit_code
                  JOIN portal_region er ON er.id = e.region_id
                  JOIN portal_region sr ON sr.id = s.region_id
                  JOIN portal_region nr ON nr.id = s.region_id
                  LEFT JOIN enterprises_carrier ec ON ec.id = e.carrier_id
                 WHERE s.register_import_id = %(id)s AND s.action = 'NEW'
              ) d
             WHERE t.id = d.id
            """,  # noqa: S608
            {"id": import_id, "jurisdiction": jurisdiction_path},
        )
        cursor.execute(
            f"""
            INSERT INTO {PROBLEM_TABLE} (register_import_id, row_number, "column", severity, code, message, value)
            SELECT %(id)s, s.row_number, %(label)s, %(error)s, 'jurisdiction',
                   '该企业已登记，但不在您的管辖范围内，不能导入', s.credit_code
              FROM {ROW_TABLE} s
              JOIN enterprises_enterprise e ON e.id = s.enterprise_id
              JOIN portal_region er ON er.id = e.region_id
             WHERE s.register_import_id = %(id)s AND s.action = 'REJECTED' AND s.changes IS NULL
               AND NOT er.path LIKE %(jurisdiction)s || '%%'
            """,  # noqa: S608
            {
                "id": import_id,
                "jurisdiction": jurisdiction_path,
                "label": FIELD_BY_KEY["district"].label,
                "error": ProblemSeverity.ERROR,
            },
        )


def counts(import_id: int) -> dict[str, int]:
    """Rows by preview action; rows awaiting check-character confirmation are counted apart.
    WITHOUT_STREET: rows that will not be rejected and land at district level only (未落实到街道:
    the register names only the district, and no street is stored for the enterprise yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT CASE WHEN needs_confirmation AND action <> 'REJECTED' THEN 'PENDING' ELSE action END, count(*)
              FROM {ROW_TABLE} WHERE register_import_id = %s GROUP BY 1
            """,  # noqa: S608
            [import_id],
        )
        result = dict.fromkeys(("NEW", "CHANGED", "UNCHANGED", "REJECTED", "PENDING"), 0)
        result.update(dict(cursor.fetchall()))
        cursor.execute(
            f"SELECT severity, count(DISTINCT row_number) FROM {PROBLEM_TABLE}"  # noqa: S608
            " WHERE register_import_id = %s GROUP BY 1",
            [import_id],
        )
        by_severity = dict(cursor.fetchall())
        cursor.execute(
            f"""
            SELECT count(*) FROM {ROW_TABLE} s JOIN portal_region r ON r.id = s.region_id
             WHERE s.register_import_id = %s AND s.action <> 'REJECTED' AND r.level = %s
            """,  # noqa: S608
            [import_id, RegionLevel.DISTRICT],
        )
        result["WITHOUT_STREET"] = cursor.fetchone()[0]
    result["ROWS_WITH_WARNINGS"] = by_severity.get(ProblemSeverity.WARNING, 0)
    result["ROWS_WITH_ERRORS"] = by_severity.get(ProblemSeverity.ERROR, 0)
    return result
