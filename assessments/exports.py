"""Excel exports of the ledger: gap lists and drill-downs, and the official statistics table.

Text cells are escaped against formula injection (a leading = + - @ gets a quote) and always
written as strings; every export is logged as an AccessLog EXPORT row."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence

import xlsxwriter
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from assessments.ledger_sql import SESSION_SETTINGS, enterprise_rows_sql, figure_conditions
from assessments.models import LedgerSnapshot
from assessments.rules import figure_bit
from assessments.selectors import snapshot_figure_facts
from enterprises.choices import EnterpriseKind, Industry
from enterprises.models import Enterprise
from portal.spreadsheets import safe_text

# An export is one request: past this many rows, ask for a narrower filter.
MAX_EXPORT_ROWS = 200_000


def write_cell(sheet, row: int, col: int, value, fmt=None) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, dt.date):
        sheet.write_string(row, col, value.isoformat(), fmt)
    else:
        sheet.write_string(row, col, safe_text(value), fmt)


def list_workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence], note: str = "") -> tuple[bytes, int]:
    """A plain table: title line, note line, headers, rows (streamed, constant memory). Returns the
    file and the number of rows written."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("清单")
    bold = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    sheet.write_string(0, 0, safe_text(title), bold)
    sheet.write_string(1, 0, safe_text(note or f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"))
    for col, header in enumerate(headers):
        sheet.write_string(2, col, safe_text(header), head)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, len(headers) - 1, 16)
    written = 0
    for count, row in enumerate(rows, start=1):
        if count > MAX_EXPORT_ROWS:
            sheet.write_string(2 + count, 0, f"仅导出前 {MAX_EXPORT_ROWS} 条，请缩小筛选范围")
            break
        for col, value in enumerate(row):
            write_cell(sheet, 2 + count, col, value)
        written = count
    book.close()
    return buffer.getvalue(), written


def statistics_workbook(table, *, unit: str, as_of: dt.date, title: str) -> bytes:
    """The annual party-statistics table in its official layout: title, unit and date line, merged
    two-level headers, indented row labels, totals in the first column."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("党内统计表")
    title_fmt = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    meta = book.add_format({"font_size": 10})
    meta_right = book.add_format({"font_size": 10, "align": "right"})
    head = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True})
    label = book.add_format({"border": 1})
    label_indent = book.add_format({"border": 1, "indent": 1})
    label_indent2 = book.add_format({"border": 1, "indent": 2})
    number = book.add_format({"border": 1, "num_format": "#,##0"})
    n_cols = 1 + len(table.columns)
    sheet.merge_range(0, 0, 0, n_cols - 1, safe_text(title), title_fmt)
    sheet.write_string(1, 0, safe_text(f"填报单位：{unit}"), meta)
    sheet.merge_range(1, 1, 1, n_cols - 1, f"统计截止日期：{as_of:%Y年%m月%d日}　　单位：个、人", meta_right)
    # Header: row 2 groups, row 3 column names.
    sheet.merge_range(2, 0, 3, 0, "项目", head)
    sheet.merge_range(2, 1, 3, 1, "总数", head)
    sheet.merge_range(2, 2, 2, 4, "其中", head)
    for offset, column in enumerate(table.columns[1:4]):
        sheet.write_string(3, 2 + offset, column.label, head)
    kinds = table.columns[4:]
    if kinds:
        if len(kinds) > 1:
            sheet.merge_range(2, 5, 2, 4 + len(kinds), "按登记注册类型分", head)
        else:
            sheet.write_string(2, 5, "按登记注册类型分", head)
        for offset, column in enumerate(kinds):
            sheet.write_string(3, 5 + offset, column.label, head)
    formats = {0: label, 1: label_indent, 2: label_indent2}
    for r, line in enumerate(table.lines, start=4):
        sheet.write_string(r, 0, safe_text(line.label), formats.get(line.indent, label))
        for c, value in enumerate(line.values, start=1):
            sheet.write_number(r, c, value, number)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, n_cols - 1, 11)
    sheet.set_row(3, 36)
    book.close()
    return buffer.getvalue()


# --- The rows of a figure's export: one streamed pass, from the snapshot's facts or live ---------

EXPORT_FIGURES = ("org_covered", "work_covered", "standalone_due", "surveyed", "clear_all")
EXPORT_HEADERS = (
    "企业名称",
    "统一社会信用代码",
    "所属区域",
    "所属载体",
    "行业",
    "企业类型",
    "从业人员",
    "正式党员",
    "预备党员",
    "组织覆盖",
    "工作覆盖",
    "应建未建",
    "本轮已排查",
    "四个清楚",
)


def export_rows(enterprises: QuerySet, figure: str, as_of: dt.date) -> Iterator[tuple]:
    """Rows (EXPORT_HEADERS) of the enterprises of `enterprises` counted in `figure`, streamed
    from a server-side cursor so that memory stays flat."""
    conditions = {name: (sql, params) for name, sql, params in figure_conditions()}
    inner_sql, inner_params = enterprise_rows_sql(as_of, enterprises=enterprises)
    flags = ", ".join(f"({conditions[name][0]})" for name in EXPORT_FIGURES)
    flag_params = [p for name in EXPORT_FIGURES for p in conditions[name][1]]
    where_sql, where_params = conditions[figure]
    sql = f"""
SELECT x.name, x.credit_code, r.name, c.name, x.industry, x.kind, x.employee_count,
       e.full_members, e.probationary_members, {flags}
FROM ({inner_sql} OFFSET 0) AS e
JOIN enterprises_enterprise x ON x.id = e.id
JOIN portal_region r ON r.id = x.region_id
LEFT JOIN enterprises_carrier c ON c.id = x.carrier_id
WHERE {where_sql}
ORDER BY r.path, x.id"""  # noqa: S608
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(SESSION_SETTINGS)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, [*flag_params, *inner_params, *where_params])
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    yield _export_line(row[:9], row[9:])


_INDUSTRY_LABELS = dict(Industry.choices)
_KIND_LABELS = dict(EnterpriseKind.choices)


def _export_line(enterprise: tuple, flags: Iterable[bool]) -> tuple:
    """One EXPORT_HEADERS row: the enterprise's columns with choice labels, then the figure flags.
    Shared by snapshot exports (flags from the fact bits) and live exports (flags from SQL)."""
    name, code, region, carrier, industry, kind, employees, full, probationary = enterprise
    return (
        name,
        code,
        region,
        carrier or "",
        str(_INDUSTRY_LABELS.get(industry, industry)),
        str(_KIND_LABELS.get(kind, kind)),
        employees,
        full,
        probationary,
        *flags,
    )


def export_fact_rows(user, snapshot: LedgerSnapshot, figure: str, params) -> Iterator[tuple]:
    """Rows (EXPORT_HEADERS) of the enterprises behind a snapshot's number, streamed."""
    facts = (
        snapshot_figure_facts(user, snapshot, figure, params)
        .filter(enterprise__in=Enterprise.objects.visible_to(user).values("id"))
        .order_by("region__path", "enterprise_id")
        .values_list(
            "enterprise__name",
            "enterprise__credit_code",
            "region__name",
            "carrier__name",
            "industry",
            "kind",
            "employee_count",
            "full_members",
            "probationary_members",
            "figures",
        )
    )
    bits = [figure_bit(name) for name in EXPORT_FIGURES]
    with transaction.atomic():
        for name, code, region, carrier, industry, kind, employees, full, probationary, figures in facts.iterator(
            chunk_size=2000
        ):
            yield _export_line(
                (name, code, region, carrier, industry, kind, employees, full, probationary),
                (bool(figures & bit) for bit in bits),
            )
