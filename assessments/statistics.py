"""The annual party-statistics table (非公有制经济控制企业党建工作情况统计表): its layout, the official
form's row labels word for word, and its values read from one snapshot's rows."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.choices import Dimension
from assessments.models import LedgerRow, LedgerSnapshot
from assessments.rules import FIGURE_BY_NAME, SIZE_50, SIZE_100
from enterprises.choices import EnterpriseKind
from portal.models import Region

FIGURE_NAMES = frozenset(FIGURE_BY_NAME)


@dataclass(frozen=True)
class StatColumn:
    label: str
    dimension: str
    keys: tuple[dict, ...]  # the rows of that dimension summed into this column


@dataclass(frozen=True)
class StatLine:
    label: str
    indent: int
    values: tuple[int, ...]
    figure: str | None  # the figure behind the line (drill-down), None for sums


@dataclass(frozen=True)
class StatisticsTable:
    columns: tuple[StatColumn, ...]
    lines: tuple[StatLine, ...]


# (label, indent, figure or sum columns)
STAT_LINES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("单位数", 0, ("enterprises",)),
    ("其中：党建工作指导员联系的", 1, ("instructor_contacted",)),
    ("已单独建立党组织的", 0, ("standalone",)),
    ("党委", 1, ("standalone_committee",)),
    ("党总支", 1, ("standalone_general_branch",)),
    ("党支部", 1, ("standalone_branch",)),
    ("已建立联合党支部的", 0, ("joint_only",)),
    ("具有3名以上党员的", 1, ("joint_only_3plus",)),
    ("未建立党组织的", 0, ("no_org",)),
    ("有3名以上正式党员的", 1, ("no_org_due",)),
    ("仅有个别党员", 1, ("no_org_few",)),
    ("没有党员", 1, ("no_org_none",)),
    ("补充资料：", 0, ()),
    # The dashboard's 应建未建, the same figure (some are in a joint branch: not a line above).
    ("应建未建（3名以上正式党员）", 1, ("standalone_due",)),
    ("派驻党建工作指导员（人次）", 1, ("instructor_assignments",)),
    ("从业人员（人）", 1, ("employees",)),
    ("党员（人）", 1, ("full_members", "probationary_members")),
    ("其中：预备党员", 2, ("probationary_members",)),
)


def statistics_columns() -> tuple[StatColumn, ...]:
    return (
        StatColumn("总数", Dimension.REGION, ({},)),
        StatColumn("从业人员50人以上", Dimension.REGION_SIZE, ({"size_band": SIZE_50}, {"size_band": SIZE_100})),
        StatColumn("从业人员100人以上", Dimension.REGION_SIZE, ({"size_band": SIZE_100},)),
        StatColumn("法定代表人是党员", Dimension.REGION_LEGAL, ({"legal_member": True},)),
        *(StatColumn(str(label), Dimension.REGION_KIND, ({"kind": value},)) for value, label in EnterpriseKind.choices),
    )


def statistics_table(snapshot: LedgerSnapshot, region: Region) -> StatisticsTable:
    """The table for `region` (rolled up) from one query on the snapshot's rows."""
    columns = statistics_columns()
    dimensions = {column.dimension for column in columns}
    rows = list(LedgerRow.objects.filter(snapshot=snapshot, region=region, dimension__in=dimensions))

    def matches(row, column: StatColumn) -> bool:
        return row.dimension == column.dimension and any(
            all(getattr(row, key) == value for key, value in keys.items()) for keys in column.keys
        )

    per_column = [[row for row in rows if matches(row, column)] for column in columns]
    lines = []
    for label, indent, names in STAT_LINES:
        values = tuple(sum(getattr(row, name) for row in col_rows for name in names) for col_rows in per_column)
        figure = names[0] if len(names) == 1 and names[0] in FIGURE_NAMES else None
        lines.append(StatLine(label, indent, values if names else (), figure))
    return StatisticsTable(columns=columns, lines=tuple(lines))
