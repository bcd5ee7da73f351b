"""The spreadsheet floor: hostile files are refused before they are unpacked; real-world files
(GBK CSV, title rows, several sheets, blank rows, odd dates and numbers) are read."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile

import pytest
import xlsxwriter

from portal import spreadsheets
from portal.spreadsheets import (
    MAX_ZIP_ENTRIES,
    SpreadsheetError,
    check_file,
    detect_encoding,
    escape_formula,
    open_table,
    parse_date,
    parse_int,
)

LIMIT = 50 * 1024 * 1024


def score(cells) -> int:
    """Test header rule: a row naming both 代码 and 名称 is the header."""
    return sum(1 for want in ("代码", "名称") if want in cells)


def _xlsx(path, sheets: dict[str, list[list]]):
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(i, j, value)
    workbook.close()
    return path


def _rows(table):
    return list(table.rows)


# --- hostile files --------------------------------------------------------------------------------


def test_a_zip_bomb_declaring_a_huge_uncompressed_size_is_refused(tmp_path):
    path = _xlsx(tmp_path / "bomb.xlsx", {"名录": [["代码", "名称"], ["1", "a"]]})
    data = bytearray(path.read_bytes())
    # Patch the central directory: the worksheet claims to unpack to 4 GB.
    offset = 0
    while (offset := data.find(b"PK\x01\x02", offset)) != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        name = bytes(data[offset + 46 : offset + 46 + name_length])
        if name == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, offset + 24, 0xFFFFFFF0)
        offset += 4
    path.write_bytes(bytes(data))

    with pytest.raises(SpreadsheetError, match="解压后大小"):
        check_file(path, max_bytes=LIMIT)


def test_a_zip_bomb_with_an_absurd_compression_ratio_is_refused(tmp_path):
    path = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (64 * 1024 * 1024) + b"/>")
    with pytest.raises(SpreadsheetError, match="压缩比异常"):
        check_file(path, max_bytes=LIMIT)


def test_a_zip_with_too_many_entries_is_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(SpreadsheetError, match="条目"):
        check_file(path, max_bytes=LIMIT)


BILLION_LAUGHS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>"""


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/workbook.xml"])
def test_an_xml_entity_bomb_inside_the_xlsx_is_refused(tmp_path, part):
    source = _xlsx(tmp_path / "ok.xlsx", {"名录": [["代码", "名称"], ["1", "a"]]})
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in original.infolist():
            data = original.read(info)
            bomb.writestr(info.filename, BILLION_LAUGHS if info.filename == part else data)
    with pytest.raises(SpreadsheetError, match="XML 炸弹"):
        check_file(path, max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("register.txt", b"a,b", "仅支持"),
        ("register.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "仅支持"),
        ("register.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 .xls"),
        ("register.xlsx", "统一社会信用代码,企业名称\n".encode(), "不是 zip"),
        ("register.csv", b"PK\x03\x04" + b"\0" * 100, "不是文本 CSV"),
        ("register.csv", b"", "文件为空"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SpreadsheetError, match=reason):
        check_file(path, max_bytes=LIMIT)


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(SpreadsheetError, match="文件过大"):
        check_file(path, max_bytes=1024)


def test_a_genuine_xlsx_passes_the_checks(tmp_path):
    path = _xlsx(tmp_path / "ok.xlsx", {"名录": [["代码", "名称"], ["1", "a"]]})
    assert check_file(path, max_bytes=LIMIT) == "xlsx"


# --- reading real-world files -----------------------------------------------------------------------


def test_gbk_csv_with_title_rows_is_decoded_and_its_header_found(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("泰安市企业名录\r\n\r\n代码,名称\r\n91370902MA0001,泰安华鑫商贸有限公司\r\n".encode("gbk"))
    table = open_table(path, "csv", header_score=score, min_score=2)
    assert table.header_row == 3
    assert _rows(table) == [(4, ["91370902MA0001", "泰安华鑫商贸有限公司"])]


def test_utf8_with_bom_and_tab_separated_csv(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff代码\t名称\n1\t甲\n".encode())
    table = open_table(path, "csv", header_score=score, min_score=2)
    assert table.header == ["代码", "名称"]
    assert _rows(table) == [(2, ["1", "甲"])]


def test_encoding_detection():
    assert detect_encoding("名称".encode("gb18030")) == "gb18030"
    assert detect_encoding("\ufeff名称".encode()) == "utf-8-sig"
    assert detect_encoding("名称".encode()[:-1]) == "utf-8"  # a sample cut inside a character


def test_the_sheet_with_the_header_is_taken_among_several(tmp_path):
    path = _xlsx(
        tmp_path / "sheets.xlsx",
        {
            "说明": [["本表由市场监管局导出"], ["请勿修改"]],
            "企业名录": [["泰安市企业名录"], [None], ["代码", "名称"], ["1", "甲"], [None, None], ["2", "乙"]],
        },
    )
    table = open_table(path, "xlsx", header_score=score, min_score=2)
    assert (table.sheet_name, table.header_row) == ("企业名录", 3)
    rows = _rows(table)
    assert [(n, cells[:2]) for n, cells in rows if any(cells)] == [(4, ["1", "甲"]), (6, ["2", "乙"])]
    assert table.progress() == 1.0


def test_a_file_without_the_header_is_refused_with_the_reason(tmp_path):
    path = _xlsx(tmp_path / "none.xlsx", {"Sheet1": [["a", "b"], ["1", "2"]]})
    with pytest.raises(SpreadsheetError, match="未找到表头"):
        open_table(path, "xlsx", header_score=score, min_score=2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2020, 1, 2), dt.date(2020, 1, 2)),
        (dt.datetime(2020, 1, 2, 10, 30), dt.date(2020, 1, 2)),  # noqa: DTZ001 - Excel datetimes are naive
        (43832, dt.date(2020, 1, 2)),
        (43832.0, dt.date(2020, 1, 2)),
        ("43832", dt.date(2020, 1, 2)),
        ("2020-01-02", dt.date(2020, 1, 2)),
        ("2020/1/2", dt.date(2020, 1, 2)),
        ("2020.01.02", dt.date(2020, 1, 2)),
        ("2020年1月2日", dt.date(2020, 1, 2)),
        ("２０２０年１月２日", dt.date(2020, 1, 2)),
        ("20200102", dt.date(2020, 1, 2)),
        ("2020-01-02 00:00:00", dt.date(2020, 1, 2)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_their_real_spellings(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["去年", "2020-13-01", "不详", -5])
def test_dates_that_are_not_dates_raise(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"), [(12, 12), (12.0, 12), ("12", 12), ("１２", 12), ("1,200", 1200), (" 7 ", 7), ("", None)]
)
def test_numbers_as_text(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize("value", ["约20人", "不详", "12.5", 3.5, "-3"])
def test_numbers_that_are_not_numbers_raise(value):
    with pytest.raises(ValueError):
        parse_int(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86", "'+86"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("泰安华鑫", "泰安华鑫"),
        (12, 12),
    ],
)
def test_text_cells_are_escaped_against_formula_injection(value, expected):
    assert escape_formula(value) == expected


def test_very_large_sheets_are_streamed_with_the_same_rows(tmp_path, monkeypatch):
    path = _xlsx(
        tmp_path / "sheets.xlsx",
        {
            "说明": [["本表由市场监管局导出"]],
            "企业名录": [
                ["泰安市企业名录"],
                [None],
                ["代码", "名称", "日期"],
                ["1", "甲", 12],
                [None],
                ["2", "乙", None],
            ],
        },
    )
    in_memory = open_table(path, "xlsx", header_score=score, min_score=2)
    expected = [(n, [c for c in cells]) for n, cells in in_memory.rows]
    monkeypatch.setattr(spreadsheets, "STREAMING_SHEET_BYTES", 0)

    streamed = open_table(path, "xlsx", header_score=score, min_score=2)

    assert (streamed.sheet_name, streamed.header_row, streamed.header) == ("企业名录", 3, ["代码", "名称", "日期"])
    got = [(n, ["" if c is None else c for c in cells]) for n, cells in streamed.rows]
    assert [(n, c) for n, c in got if any(c)] == [(n, c) for n, c in expected if any(c)]
    assert [n for n, _c in got] == [n for n, _c in expected]
