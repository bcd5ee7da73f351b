"""The one table of accepted header variants per register field, and header matching.

Real registers exported from other systems name the same column differently; add a variant here
(and only here) when a new spelling turns up. Headers are compared after `header_text()`:
half-width, no spaces, no "*" or "(必填)", lower case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portal.spreadsheets import header_text


@dataclass(frozen=True)
class RegisterField:
    key: str
    label: str  # the name used in problems and the error report
    variants: tuple[str, ...]
    required: bool = False


FIELDS: tuple[RegisterField, ...] = (
    RegisterField(
        "credit_code",
        "统一社会信用代码",
        (
            "统一社会信用代码",
            "社会信用代码",
            "信用代码",
            "统一代码",
            "统一社会信用代码/注册号",
            "注册号/统一社会信用代码",
            "credit_code",
        ),
        required=True,
    ),
    RegisterField(
        "name",
        "企业名称",
        (
            "企业名称",
            "名称",
            "单位名称",
            "企业(机构)名称",
            "市场主体名称",
            "主体名称",
            "个体户名称",
            "字号名称",
            "name",
        ),
        required=True,
    ),
    RegisterField(
        "kind",
        "企业类型",
        ("企业类型", "类型", "市场主体类型", "主体类型", "企业类别", "经济类型", "经济性质", "组织形式", "kind"),
    ),
    RegisterField(
        "industry", "行业", ("行业", "所属行业", "行业门类", "国民经济行业", "行业分类", "行业类别", "industry")
    ),
    RegisterField(
        "district",
        "所属区县",
        ("所属区县", "区县", "县区", "所在区县", "所属县区", "所属区域", "行政区划", "区划", "辖区", "region"),
        required=True,
    ),
    RegisterField(
        "carrier",
        "所属园区/楼宇",
        ("所属园区/楼宇", "所属园区", "园区/楼宇", "所属楼宇", "园区", "楼宇", "载体", "所属载体", "carrier"),
    ),
    RegisterField(
        "employee_count",
        "从业人员数",
        ("从业人员数", "从业人数", "从业人员", "从业人员(人)", "职工人数", "员工人数", "employee_count"),
    ),
    RegisterField(
        "registered_on",
        "注册日期",
        ("注册日期", "成立日期", "登记日期", "核准日期", "开业日期", "registered_on"),
    ),
    RegisterField(
        "annual_report",
        "年报状态",
        ("年报状态", "年报情况", "年报", "年检状态", "年检情况", "年报年度", "最近年报年度", "annual_report_year"),
    ),
    RegisterField(
        "legal_representative",
        "法定代表人",
        ("法定代表人", "法定代表人/负责人", "负责人", "经营者", "法人代表", "法人", "legal_representative"),
    ),
    RegisterField("address", "地址", ("地址", "住所", "经营场所", "住所/经营场所", "注册地址", "经营地址", "address")),
    RegisterField(
        "registration_status",
        "登记状态",
        ("登记状态", "经营状态", "企业状态", "存续状态", "registration_status"),
    ),
    RegisterField("investor", "出资人", ("出资人", "投资人", "股东", "股东/出资人", "investor")),
    RegisterField("above_scale", "规模以上", ("规模以上", "是否规上", "是否规模以上", "规上企业", "above_scale")),
)

FIELD_BY_KEY = {f.key: f for f in FIELDS}
_VARIANT_TO_KEY = {header_text(v): f.key for f in FIELDS for v in f.variants}
REQUIRED_KEYS = tuple(f.key for f in FIELDS if f.required)


def field_for_header(text: str) -> str | None:
    return _VARIANT_TO_KEY.get(header_text(text))


def header_score(cells: Sequence[str]) -> int:
    """How many required fields a row names: the header row is the first that names them all."""
    keys = {_VARIANT_TO_KEY.get(c) for c in cells if c}
    return sum(1 for key in REQUIRED_KEYS if key in keys)


@dataclass
class ColumnMap:
    """Which cell index holds which field, and the columns that were not understood."""

    index: dict[str, int]
    unknown: list[tuple[int, str]]
    duplicate: list[tuple[int, str]]

    @classmethod
    def from_header(cls, header: Sequence[str]) -> ColumnMap:
        index: dict[str, int] = {}
        unknown: list[tuple[int, str]] = []
        duplicate: list[tuple[int, str]] = []
        for position, text in enumerate(header):
            if not text:
                continue
            key = _VARIANT_TO_KEY.get(text)
            if key is None:
                unknown.append((position, text))
            elif key in index:
                duplicate.append((position, text))
            else:
                index[key] = position
        return cls(index=index, unknown=unknown, duplicate=duplicate)
