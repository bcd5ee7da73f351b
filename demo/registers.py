"""Synthetic enterprise registers of the demo city 泰安市, as the commerce bureau hands them over.

Two lists (名单), both keyed by the unified social credit code:

- the registration list (登记名单): every enterprise with its kind, industry, district, park or
  building, employees, registration date and status, legal representative and address;
- the annual-report list (年检名单): the same enterprises with their annual-report status.

Everything is invented except the geography (demo.geography: the six real districts with their
GB/T 2260 codes, real streets and towns, the parks and buildings of the demo city), so a generated
register imports into the demo city as it is. Credit codes carry a correct GB 32100 check character
(computed by portal.validators, the same code the importer checks them with).

Generation is a stream: row i depends only on the seed and on the rows before it, never on the
number of rows asked for, so the first N rows of a larger register are the register of N rows, and
a million rows take as little memory as a thousand. Credit codes are unique by construction (the
row index is scrambled into the code), not by remembering the codes already written.

`messy=True` makes the file look like real exports: a merged title row above the header and about 2%
of rows carrying one fault each (FAULTS). `RegisterTruth` records which data rows carry which fault,
so tests can assert exact import outcomes.

    write_register("register.xlsx", rows=100_000)
    write_register("messy.csv", rows=5_000, messy=True, encoding="gbk")
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from demo import geography as geo
from enterprises.choices import Industry
from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_char

DEFAULT_SEED = 20240601
FAULT_RATE = 0.02
AS_OF = dt.date(2025, 12, 31)  # the registers are "as of" the end of 2025

REGISTRATION = "registration"
ANNUAL_REPORT = "annual_report"

# Header texts per list (each one a variant enterprises.importing.columns recognizes).
HEADERS: dict[str, tuple[str, ...]] = {
    REGISTRATION: (
        "统一社会信用代码",
        "企业名称",
        "企业类型",
        "行业",
        "所属区县",
        "所属园区/楼宇",
        "从业人员数",
        "注册日期",
        "登记状态",
        "法定代表人",
        "地址",
    ),
    ANNUAL_REPORT: ("统一社会信用代码", "企业名称", "所属区县", "从业人员数", "年报状态"),
}
TITLES = {
    REGISTRATION: f"泰安市非公有制经济组织登记名单（截至{AS_OF.year}年{AS_OF.month}月{AS_OF.day}日）",
    ANNUAL_REPORT: f"泰安市市场主体{AS_OF.year - 1}年度报告情况（年检名单）",
}
SHEET_NAMES = {REGISTRATION: "登记名单", ANNUAL_REPORT: "年检名单"}

# The faults --messy injects, one per faulty row. Which of them the importer rejects, warns about
# or silently repairs is the importer's business; the tests compare the two.
FAULTS = (
    "bad_check_char",  # the 18th character changed: fails GB 32100
    "duplicate_code",  # the credit code of an earlier row again
    "fullwidth",  # credit code and employee count in full-width digits
    "stray_spaces",  # spaces around the credit code and the name
    "blank_required",  # credit code, name or district left empty
    "text_in_number",  # 从业人员数 as "约20人", "20人", "不详", "十余人"
    "date_as_text",  # 注册日期 as text: "2019.03.07", "2019年3月7日"
    "lowercase_code",  # credit code in lower case
)
_NEEDS = {  # the column a fault changes, when it is not the credit code
    "text_in_number": "从业人员数",
    "date_as_text": "注册日期",
}

# (kind as the register spells it, weight, credit-code prefix: 91 enterprise, 92 individual, 93 co-op)
KINDS: tuple[tuple[str, int, str], ...] = (
    ("个体工商户", 600, "92"),
    ("有限责任公司（自然人投资或控股）", 230, "91"),
    ("有限责任公司（自然人独资）", 70, "91"),
    ("个人独资企业", 30, "91"),
    ("合伙企业", 20, "91"),
    ("股份有限公司（非上市、自然人投资或控股）", 20, "91"),
    ("有限责任公司（外商投资、非独资）", 15, "91"),
    ("农民专业合作社", 15, "93"),
)
_NAME_SUFFIX = {"个人独资企业": "商行", "合伙企业": "合伙企业（有限合伙）", "农民专业合作社": "专业合作社"}
# (status, weight) among registration statuses and annual-report statuses
REGISTRATION_STATUSES = (("存续", 880), ("在业", 90), ("吊销", 15), ("注销", 10), ("迁出", 5))
REPORT_STATUSES = {
    True: (("已报送", 70), ("未报送", 25), ("列入经营异常名录", 5)),  # individual businesses
    False: (("已报送", 85), ("未报送", 10), ("列入经营异常名录", 5)),
}
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Credit codes are unique by construction: the row index goes through a bijection of the body's
# number space. Only its upper half is used, so that no generated code equals one of the seeded
# demo city's (demo.seeding numbers its enterprises from 1).
_MA_SPACE = 31**6 // 2  # post-2016 codes: "MA" + 6 characters of the credit-code charset
_DIGIT_SPACE = 10**8 // 2  # earlier codes: the old 8-digit organization code


@dataclass(frozen=True)
class RegisterEntry:
    """One invented enterprise: what both lists say about it."""

    credit_code: str
    name: str
    kind: str
    industry: str  # the GB/T 4754 section's name, as registers spell it
    district: str
    district_code: str
    carrier: str
    employee_count: int
    registered_on: dt.date
    registration_status: str
    report_status: str
    legal_representative: str
    address: str

    def cells(self, columns: Sequence[str]) -> list:
        values = {
            "统一社会信用代码": self.credit_code,
            "企业名称": self.name,
            "企业类型": self.kind,
            "行业": self.industry,
            "所属区县": self.district,
            "所属园区/楼宇": self.carrier,
            "从业人员数": self.employee_count,
            "注册日期": self.registered_on,
            "登记状态": self.registration_status,
            "法定代表人": self.legal_representative,
            "地址": self.address,
            "年报状态": self.report_status,
        }
        return [values[column] for column in columns]


@dataclass
class RegisterTruth:
    """What a messy register holds, by 1-based data-row index (sheet row = index + header_row)."""

    list_kind: str
    data_rows: int = 0
    header_row: int = 1
    faults: dict[str, list[int]] = field(default_factory=dict)
    duplicate_of: dict[int, int] = field(default_factory=dict)  # duplicate_code row → the earlier row

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    def rows_with(self, *kinds: str) -> set[int]:
        return {index for kind in kinds for index in self.faults.get(kind, [])}

    def as_json(self) -> dict:
        return {
            "list": self.list_kind,
            "header_row": self.header_row,
            "first_data_row": self.first_data_row,
            "data_rows": self.data_rows,
            "faults": self.faults,
            "duplicate_of": {str(row): earlier for row, earlier in self.duplicate_of.items()},
            "note": "indexes count data rows from 1; the sheet row is index + header_row",
        }

    @classmethod
    def from_json(cls, data: dict) -> RegisterTruth:
        return cls(
            list_kind=data["list"],
            data_rows=data["data_rows"],
            header_row=data["header_row"],
            faults={kind: list(rows) for kind, rows in data["faults"].items()},
            duplicate_of={int(row): earlier for row, earlier in data["duplicate_of"].items()},
        )


def _cum(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def base31(number: int, width: int) -> str:
    """`number` in `width` characters of the credit-code alphabet (an "MA…" organization code)."""
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 31)
        digits.append(CREDIT_CODE_CHARSET[rest])
    return "".join(reversed(digits))


def _org_check_char(body8: str) -> str:
    """GB 11714 check character of the organization code that sits inside a credit code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _credit_code(prefix: str, district_code: str, index: int, year: int, seed: int) -> str:
    """A valid, unique credit code for row `index`: the index, scrambled, is the organization code."""
    if year >= 2016:
        number = _MA_SPACE + (index * 7_654_337 + seed) % _MA_SPACE  # a multiplier prime to the space
        body = "MA" + base31(number, 6)
    else:
        number = _DIGIT_SPACE + (index * 3_141_593 + seed) % _DIGIT_SPACE  # prime to 2 and 5
        body = f"{number:08d}"
    return valid_credit_code(prefix, district_code, body)


def valid_credit_code(prefix: str, district_code: str, org_body: str) -> str:
    """The 18-character credit code of an invented enterprise: registration prefix, district,
    organization code (8 characters + its GB 11714 check), and the GB 32100 check character."""
    body17 = prefix + district_code + org_body + _org_check_char(org_body)
    return body17 + credit_code_check_char(body17)


def enterprises(*, seed: int = DEFAULT_SEED) -> Iterator[RegisterEntry]:
    """The endless stream of invented enterprises for a seed (take as many as needed)."""
    rng = random.Random(seed)
    district_cum = _cum(d[2] for d in geo.DISTRICTS)
    kind_cum = _cum(k[1] for k in KINDS)
    status_cum = _cum(s[1] for s in REGISTRATION_STATUSES)
    industry_cum = {True: _cum(i[1] for i in geo.INDUSTRIES), False: _cum(i[2] for i in geo.INDUSTRIES)}
    report_cum = {individual: _cum(s[1] for s in statuses) for individual, statuses in REPORT_STATUSES.items()}
    for index in itertools.count(1):
        district_code, district, _weight, streets, carriers = rng.choices(geo.DISTRICTS, cum_weights=district_cum)[0]
        kind, _weight, prefix = rng.choices(KINDS, cum_weights=kind_cum)[0]
        individual = prefix == "92"
        letter, _a, _b, words = rng.choices(geo.INDUSTRIES, cum_weights=industry_cum[individual])[0]
        # Registration years lean to recent ones, individual businesses more so.
        year = max(1993, AS_OF.year - int(rng.expovariate(1 / (3.5 if individual else 7))))
        registered_on = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        zihao = rng.choice(geo.ZIHAO) + rng.choice(geo.ZIHAO)
        word = rng.choice(words)
        boss = rng.choice(geo.SURNAMES) + "".join(rng.choices(geo.GIVEN, k=rng.choice((1, 2, 2))))
        if individual:
            name = rng.choice(
                (
                    f"泰安市{district}{zihao}{word}",
                    f"{district}{boss[0]}记{word}",
                    f"{district}{zihao}{word}（个体工商户）",
                )
            )
            employee_count = min(1 + int(rng.expovariate(1 / 1.5)), 30)
            carrier = rng.choice(carriers) if rng.random() < 0.05 else ""
        else:
            suffix = _NAME_SUFFIX.get(kind, "股份有限公司" if "股份" in kind else "有限公司")
            name = f"泰安{zihao}{word}{suffix}"
            employee_count = min(1 + int(rng.lognormvariate(1.4, 1.4)), 20_000)
            carrier = rng.choice(carriers) if rng.random() < 0.45 else ""
        address = f"山东省泰安市{district}{rng.choice(streets)}{rng.choice(geo.ROADS)}{rng.randint(1, 999)}号"
        if rng.random() < 0.5:
            address += f"{rng.randint(1, 12)}幢{rng.randint(1, 30)}{rng.randint(1, 20):02d}室"
        yield RegisterEntry(
            credit_code=_credit_code(prefix, district_code, index, year, seed),
            name=name,
            kind=kind,
            industry=str(Industry(letter).label),
            district=district,
            district_code=district_code,
            carrier=carrier,
            employee_count=employee_count,
            registered_on=registered_on,
            registration_status=rng.choices(REGISTRATION_STATUSES, cum_weights=status_cum)[0][0],
            report_status=rng.choices(REPORT_STATUSES[individual], cum_weights=report_cum[individual])[0][0],
            legal_representative=boss,
            address=address,
        )


def clean_rows(rows: int, *, list_kind: str = REGISTRATION, seed: int = DEFAULT_SEED) -> Iterator[list]:
    """The data rows of a clean list, cells in HEADERS[list_kind] order (numbers as int, dates as date)."""
    columns = HEADERS[list_kind]
    for enterprise in itertools.islice(enterprises(seed=seed), rows):
        yield enterprise.cells(columns)


def messy_rows(
    rows: Iterable[list], truth: RegisterTruth, *, seed: int = DEFAULT_SEED, rate: float = FAULT_RATE
) -> Iterator[list]:
    """The rows with about `rate` of them given one fault each, recorded in `truth` as they pass."""
    columns = HEADERS[truth.list_kind]
    position = {column: i for i, column in enumerate(columns)}
    kinds = [kind for kind in FAULTS if _NEEDS.get(kind, "统一社会信用代码") in position]
    rng = random.Random(seed + 1)  # not the enterprises' generator: the faults do not shift the data
    earlier: list[tuple[int, str]] = []  # a bounded sample of clean rows' codes to repeat
    code, name, employees = 0, position["企业名称"], position.get("从业人员数")
    for index, row in enumerate(rows, start=1):
        if rng.random() >= rate:
            if len(earlier) < 1000 and rng.random() < 0.01:
                earlier.append((index, row[code]))
            yield row
            continue
        kind = rng.choice(kinds)
        if kind == "duplicate_code" and not earlier:
            kind = "stray_spaces"
        truth.faults.setdefault(kind, []).append(index)
        row = list(row)
        if kind == "bad_check_char":
            wrong = (CREDIT_CODE_CHARSET.index(row[code][17]) + rng.randint(1, 30)) % 31
            row[code] = row[code][:17] + CREDIT_CODE_CHARSET[wrong]
        elif kind == "duplicate_code":
            truth.duplicate_of[index], row[code] = rng.choice(earlier)
        elif kind == "fullwidth":
            row[code] = row[code].translate(_FULLWIDTH)
            if employees is not None:
                row[employees] = str(row[employees]).translate(_FULLWIDTH)
        elif kind == "stray_spaces":
            row[code] += " "
            row[name] = f" {row[name]}  "
        elif kind == "blank_required":
            row[position[rng.choice(("统一社会信用代码", "企业名称", "所属区县"))]] = None
        elif kind == "text_in_number":
            count = row[employees]
            row[employees] = rng.choice((f"约{count}人", f"{count}人", "不详", "十余人"))
        elif kind == "date_as_text":
            day = row[position["注册日期"]]
            row[position["注册日期"]] = rng.choice(
                (f"{day.year}.{day.month:02d}.{day.day:02d}", f"{day.year}年{day.month}月{day.day}日")
            )
        elif kind == "lowercase_code":
            row[code] = row[code].lower()
        yield row


def write_register(
    path: str | Path,
    *,
    rows: int,
    list_kind: str = REGISTRATION,
    seed: int = DEFAULT_SEED,
    messy: bool = False,
    encoding: str = "utf-8",
) -> RegisterTruth:
    """Write a register of `rows` data rows to `path` (.xlsx, or .csv in `encoding`): streamed,
    so memory stays flat at any size. Returns what the file holds (the faults when messy)."""
    path = Path(path)
    if list_kind not in HEADERS:
        raise ValueError(f"名单类型应为 {'、'.join(HEADERS)}")
    truth = RegisterTruth(list_kind=list_kind, data_rows=rows, header_row=2 if messy else 1)
    data: Iterator[list] = clean_rows(rows, list_kind=list_kind, seed=seed)
    if messy:
        data = messy_rows(data, truth, seed=seed)
    title = TITLES[list_kind] if messy else None
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(path, HEADERS[list_kind], data, title=title, sheet=SHEET_NAMES[list_kind])
    elif suffix == ".csv":
        _write_csv(path, HEADERS[list_kind], data, title=title, encoding=encoding)
    else:
        raise ValueError("文件扩展名应为 .xlsx 或 .csv")
    return truth


def write_truth(path: str | Path, truth: RegisterTruth) -> None:
    Path(path).write_text(json.dumps(truth.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")


def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[list], *, title: str | None, sheet: str) -> None:
    # constant_memory: each row goes to disk once the next one starts, so rows must come in order.
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    first = 0
    if title:
        worksheet.merge_range(0, 0, 0, len(header) - 1, title, workbook.add_format({"bold": True, "align": "center"}))
        first = 1
    worksheet.write_row(first, 0, header)
    for r, row in enumerate(rows, start=first + 1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                worksheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, int):
                worksheet.write_number(r, c, value)
            else:
                worksheet.write_string(r, c, value)
    workbook.close()


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[list], *, title: str | None, encoding: str) -> None:
    # Excel on Chinese Windows opens UTF-8 only with a BOM; GBK/GB18030 files come from older systems.
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    with path.open("w", newline="", encoding=codec) as fh:
        writer = csv.writer(fh)
        if title:
            writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
