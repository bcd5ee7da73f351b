"""The downloadable error report: the original rows that have problems, plus a reason column.

The stored upload is read again (fast with calamine) so the user gets their own cells back, exactly
as sent, to correct and re-upload. Every text cell is escaped against formula injection.
"""

from __future__ import annotations

import io
from collections import defaultdict

import xlsxwriter
from django.conf import settings

from enterprises.choices import ProblemSeverity
from enterprises.importing.staging import open_register
from enterprises.models import RegisterImport, RegisterImportProblem
from portal.spreadsheets import SpreadsheetError, cell_text, escape_formula


def _reasons(register_import: RegisterImport) -> dict[int, list[str]]:
    reasons: dict[int, list[str]] = defaultdict(list)
    problems = (
        RegisterImportProblem.objects.filter(register_import=register_import)
        .order_by("row_number", "id")
        .values_list("row_number", "column", "severity", "message")
    )
    labels = {value: str(label) for value, label in ProblemSeverity.choices}
    for row_number, column, severity, message in problems.iterator(chunk_size=5000):
        reasons[row_number].append(f"{labels.get(severity, severity)}·{column}：{message}")
    return reasons


def error_report_xlsx(register_import: RegisterImport) -> bytes:
    reasons = _reasons(register_import)
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("问题行")
    bold = workbook.add_format({"bold": True, "bg_color": "#FAF5F5"})
    wrap = workbook.add_format({"text_wrap": True, "font_color": "#8E1515"})
    header: list[str] = []
    rows = iter(())
    try:
        table = open_register(
            register_import.file.path,
            max_bytes=settings.REGISTER_UPLOAD_MAX_BYTES,
            original_name=register_import.original_name,
        )
        header, rows = table.header, table.rows
        header_row = table.header_row
    except (SpreadsheetError, ValueError, OSError):
        header_row = register_import.summary.get("header_row", 1)
    sheet.write_string(0, 0, "行号", bold)
    for j, text in enumerate(header, start=1):
        sheet.write_string(0, j, escape_formula(text), bold)
    reason_col = len(header) + 1
    sheet.write_string(0, reason_col, "问题", bold)
    out = 1
    if header_row in reasons:
        sheet.write_number(out, 0, header_row)
        sheet.write_string(out, reason_col, escape_formula("\n".join(reasons.pop(header_row))), wrap)
        out += 1
    for number, cells in rows:
        found = reasons.pop(number, None)
        if found is None:
            continue
        sheet.write_number(out, 0, number)
        for j, value in enumerate(cells, start=1):
            text = cell_text(value)
            if text:
                sheet.write_string(out, j, escape_formula(text))
        sheet.write_string(out, reason_col, escape_formula("\n".join(found)), wrap)
        out += 1
        if not reasons:
            break
    for number in sorted(reasons):  # rows the stored file no longer yields (file missing)
        sheet.write_number(out, 0, number)
        sheet.write_string(out, reason_col, escape_formula("\n".join(reasons[number])), wrap)
        out += 1
    sheet.set_column(reason_col, reason_col, 60)
    sheet.freeze_panes(1, 1)
    workbook.close()
    return output.getvalue()
