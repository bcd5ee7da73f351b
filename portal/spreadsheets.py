"""Reading uploaded spreadsheets (.xlsx, .csv) safely and fast: the generic floor of every import.

- Hostile files are refused before anything is unpacked: size limit, only .xlsx / .csv, for .xlsx
  the zip's entry count, declared uncompressed size and compression ratio are checked from the
  central directory, and every XML part's prolog is parsed with defusedxml (no DTD, no entities:
  billion-laughs and external-entity files never reach the real reader).
- .xlsx is read with python-calamine (Rust; about 8x faster than openpyxl read-only); .csv from
  Chinese Excel is decoded as UTF-8 (with or without BOM) or else GB18030 (a superset of GBK).
- The header is found, not assumed: title rows above it, several sheets (the one whose header the
  caller recognizes wins) and blank rows are all normal in real registers.

What the columns mean is the caller's business (enterprises/importing/); this module only yields
rows of cells with their sheet row numbers, plus small helpers that normalize cell values.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as safe_iterparse
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from python_calamine import CalamineError, CalamineWorkbook

from portal.middleware import client_ip
from portal.services import export_logged

ALLOWED_SUFFIXES = (".xlsx", ".csv")
MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024  # a 1,000,000-row register is about 0.6 GB of XML
MAX_COMPRESSION_RATIO = 100  # real xlsx parts compress 5-20x; zip bombs 1000x and more
HEADER_SCAN_ROWS = 30
# calamine holds a whole sheet in memory (about 1.05 GB for the 636 MB of XML of a 1,000,000-row
# register); past this much sheet XML the rows are streamed with openpyxl instead: flat memory,
# about 8x slower to read.
STREAMING_SHEET_BYTES = 700 * 1024 * 1024
CSV_SNIFF_BYTES = 64 * 1024


class SpreadsheetError(Exception):
    """The file cannot be used at all. The message is one line of Chinese, shown to the user."""


# --- Hostile-file checks --------------------------------------------------------------------------


def check_file(path: str | Path, *, max_bytes: int, original_name: str | None = None) -> str:
    """Refuse a file that is too big, not .xlsx/.csv, or hostile; return its kind ("xlsx"/"csv").

    Nothing is decompressed beyond the first bytes of each XML part (where a DTD would have to be).
    """
    path = Path(path)
    suffix = Path(original_name or path.name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise SpreadsheetError(f"仅支持 .xlsx 和 .csv 文件，收到的是“{suffix or '无扩展名'}”")
    size = path.stat().st_size
    if size == 0:
        raise SpreadsheetError("文件为空")
    if size > max_bytes:
        raise SpreadsheetError(f"文件过大：{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB")
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix == ".xlsx":
        if not head.startswith(b"PK\x03\x04"):
            if head.startswith(b"\xd0\xcf\x11\xe0"):
                raise SpreadsheetError("这是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再上传")
            raise SpreadsheetError("文件不是有效的 .xlsx（不是 zip 格式），可能已损坏")
        _check_xlsx_container(path)
        return "xlsx"
    if head.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise SpreadsheetError("文件不是文本 CSV（可能是改了扩展名的 Excel 文件）")
    return "csv"


def _check_xlsx_container(path: Path) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError("文件不是有效的 .xlsx（zip 结构损坏）") from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise SpreadsheetError(f"文件被拒绝：压缩包内有 {len(entries)} 个条目，超过上限 {MAX_ZIP_ENTRIES}")
        total = sum(info.file_size for info in entries)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetError(f"文件被拒绝：声明的解压后大小 {total / 1048576:.0f} MB 超过上限（疑似压缩炸弹）")
        for info in entries:
            if info.file_size > 1_048_576 and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                raise SpreadsheetError(f"文件被拒绝：条目“{info.filename}”压缩比异常（疑似压缩炸弹）")
        names = {info.filename for info in entries}
        if "xl/workbook.xml" not in names:
            raise SpreadsheetError("文件不是有效的 .xlsx（缺少 xl/workbook.xml）")
        for info in entries:
            if info.filename.endswith((".xml", ".rels")):
                _check_xml_prolog(archive, info)


def _check_xml_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Parse the part with defusedxml up to its root element: a DTD or entity declaration, which
    no genuine xlsx part has, is refused there. The rest of the part is never decompressed."""
    try:
        with archive.open(info) as stream:
            for _event, _element in safe_iterparse(stream, events=("start",), forbid_dtd=True):
                break
    except DefusedXmlException as exc:
        raise SpreadsheetError(f"文件被拒绝：“{info.filename}”含有 DTD/实体声明（疑似 XML 炸弹）") from exc
    except Exception as exc:
        raise SpreadsheetError(f"文件不是有效的 .xlsx（“{info.filename}”无法解析）") from exc


# --- Reading ----------------------------------------------------------------------------------------


@dataclass
class Table:
    """The data rows under a recognized header. `rows` yields (sheet row number, cells)."""

    sheet_name: str
    header_row: int
    header: list[str]
    rows: Iterator[tuple[int, list]]
    total_rows_estimate: int
    _progress: Callable[[], float] = field(repr=False, default=lambda: 0.0)

    def progress(self) -> float:
        """Fraction of the file read so far (0..1), for progress bars."""
        return min(max(self._progress(), 0.0), 1.0)


def open_table(path: str | Path, kind: str, *, header_score: Callable[[Sequence[str]], int], min_score: int) -> Table:
    """Find the header (the first row scoring at least `min_score`, best sheet wins) and return a
    Table positioned on the rows below it. Raises SpreadsheetError when no header is found."""
    if kind == "xlsx":
        if _largest_sheet_bytes(Path(path)) > STREAMING_SHEET_BYTES:
            return _open_xlsx_streaming(Path(path), header_score, min_score)
        return _open_xlsx(Path(path), header_score, min_score)
    return _open_csv(Path(path), header_score, min_score)


def _no_header_error(min_score: int) -> SpreadsheetError:
    return SpreadsheetError(f"未找到表头：前 {HEADER_SCAN_ROWS} 行中没有一行包含至少 {min_score} 个可识别的列名")


def _open_xlsx(path: Path, header_score, min_score: int) -> Table:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        best = None  # (score, sheet, header index); loading a sheet is the expensive part: once each
        for meta in workbook.sheets_metadata:
            if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue
            candidate = workbook.get_sheet_by_name(meta.name)
            for index, cells in enumerate(candidate.iter_rows()):
                if index >= HEADER_SCAN_ROWS:
                    break
                score = header_score([header_text(c) for c in cells])
                if score >= min_score and (best is None or score > best[0]):
                    best = (score, candidate, index)
                    break
            del candidate
        if best is None:
            raise _no_header_error(min_score)
        _score, sheet, header_index = best
        sheet_name = sheet.name
    except CalamineError as exc:
        raise SpreadsheetError(f"无法读取 .xlsx 文件：{str(exc)[:120]}") from exc
    first_row = sheet.start[0] if sheet.start else 0
    iterator = sheet.iter_rows()
    header = []
    for index, cells in enumerate(iterator):
        if index == header_index:
            header = [header_text(c) for c in cells]
            break
    height = sheet.height
    state = {"done": header_index + 1}

    def rows() -> Iterator[tuple[int, list]]:
        number = first_row + header_index + 1
        try:
            for cells in iterator:
                number += 1
                state["done"] += 1
                yield number, cells
        except CalamineError as exc:
            raise SpreadsheetError(f"读取第 {number} 行时出错：{str(exc)[:120]}") from exc

    return Table(
        sheet_name=sheet_name,
        header_row=first_row + header_index + 1,
        header=header,
        rows=rows(),
        total_rows_estimate=max(height - header_index - 1, 0),
        _progress=lambda: state["done"] / max(height, 1),
    )


def _largest_sheet_bytes(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return max((i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/")), default=0)


def _open_xlsx_streaming(path: Path, header_score, min_score: int) -> Table:
    """The same Table from openpyxl's read-only mode, for sheets too big to hold in memory."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SpreadsheetError(f"无法读取 .xlsx 文件：{str(exc)[:120]}") from exc
    found = None
    for sheet in workbook.worksheets:
        sheet_rows = sheet.iter_rows(values_only=True)
        for offset, cells in enumerate(sheet_rows):
            if offset >= HEADER_SCAN_ROWS:
                break
            if header_score([header_text(c) for c in cells]) >= min_score:
                found = (sheet, sheet_rows, (sheet.min_row or 1) + offset, [header_text(c) for c in cells])
                break
        if found:
            break
    if found is None:
        workbook.close()
        raise _no_header_error(min_score)
    sheet, iterator, header_row, header = found
    height = sheet.max_row or header_row
    state = {"number": header_row}

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for cells in iterator:
                state["number"] += 1
                yield state["number"], list(cells)
        finally:
            workbook.close()

    return Table(
        sheet_name=sheet.title,
        header_row=header_row,
        header=header,
        rows=rows(),
        total_rows_estimate=max(height - header_row, 0),
        _progress=lambda: state["number"] / max(height, 1),
    )


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as UTF-8, else GB18030 (covers GBK)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:HEADER_SCAN_ROWS] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";")}
    return max(counts, key=counts.__getitem__) if any(counts.values()) else ","


def _open_csv(path: Path, header_score, min_score: int) -> Table:
    size = path.stat().st_size
    raw = path.open("rb")
    sample = raw.read(CSV_SNIFF_BYTES)
    encoding = detect_encoding(sample)
    delimiter = _sniff_delimiter(sample.decode(encoding, errors="ignore"))
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    header: list[str] | None = None
    try:
        for cells in reader:
            number += 1
            if header_score([header_text(c) for c in cells]) >= min_score:
                header = [header_text(c) for c in cells]
                break
            if number >= HEADER_SCAN_ROWS:
                break
    except (UnicodeDecodeError, csv.Error) as exc:
        raw.close()
        raise SpreadsheetError(f"CSV 文件无法解析（第 {number + 1} 行附近）：{str(exc)[:80]}") from exc
    if header is None:
        raw.close()
        raise _no_header_error(min_score)
    header_row = number

    def rows() -> Iterator[tuple[int, list]]:
        current = header_row
        try:
            for cells in reader:
                current += 1
                yield current, cells
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(f"CSV 文件第 {current + 1} 行附近编码无法识别（应为 UTF-8 或 GBK）") from exc
        except csv.Error as exc:
            raise SpreadsheetError(f"CSV 文件第 {current + 1} 行格式错误：{str(exc)[:80]}") from exc
        finally:
            raw.close()

    average = max(len(sample) / max(sample.count(b"\n"), 1), 1)
    return Table(
        sheet_name="",
        header_row=header_row,
        header=header,
        rows=rows(),
        total_rows_estimate=int(size / average),
        _progress=lambda: (raw.tell() / size) if not raw.closed else 1.0,
    )


# --- Cell helpers -----------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def header_text(value: object) -> str:
    """A header cell as comparable text: half-width, no spaces, no required-field marks."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub("", text).strip("*").replace("(必填)", "").lower()


def cell_text(value: object) -> str:
    """A text cell with its whitespace collapsed (full-width spaces included); "" for blank.
    Full-width letters in names are kept: Chinese names legitimately use （）."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_INT_RE = re.compile(r"^[+]?\d+(\.0+)?$")


def parse_int(value: object) -> int | None:
    """An integer cell: numbers, numbers as text, full-width digits, thousands separators.
    Raises ValueError for anything else (the caller reports it)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
    if not text:
        return None
    if not _INT_RE.match(text):
        raise ValueError(value)
    return int(float(text)) if "." in text else int(text)


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: object) -> dt.date | None:
    """A date cell: real Excel dates, Excel serial numbers, and text such as 2020-01-02, 2020/1/2,
    2020.01.02, 2020年1月2日 or 20200102 (time parts ignored). Raises ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:  # Excel's 1900 date system, up to 9999-12-31
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    text = text.split(" ", 1)[0].split("T", 1)[0]
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if text.isdigit() and 1 <= int(text) < 2_958_466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    raise ValueError(value)


# --- Writing (exports and error reports) -------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula (starts with = + - @ tab CR) gets a leading
    quote, so an exported cell is always shown, never evaluated (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_text(value: object) -> str:
    """A text cell (None: empty) that a spreadsheet will never read as a formula."""
    return str(escape_formula("" if value is None else str(value)))


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download(request, content: bytes, filename: str, *, target: str, row_count: int, **detail) -> HttpResponse:
    """An .xlsx file as the answer to `request`: logged first as the user's export of `target`
    (portal.services.export_logged, `detail` added to the log row), sent as an attachment whose
    name may hold Chinese characters (RFC 5987 filename*)."""

    export_logged(user=request.user, target=target, row_count=row_count, ip=client_ip(request), detail=detail)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- Upload size limit ------------------------------------------------------------------------------


class MaxSizeUploadHandler(FileUploadHandler):
    """First in a view's upload handlers: stops reading a file past `max_bytes` (the rest of the
    request is discarded, nothing is written to disk) and marks the request, so the form can say why.
    Set it in the view as Django documents for upload handlers: csrf_exempt outside, the CSRF check
    inside, after the handler is inserted."""

    def __init__(self, request=None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
