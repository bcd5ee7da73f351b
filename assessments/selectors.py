"""Reads shared by the ledger pages, the API, the exports and the tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assessments.choices import Dimension, SnapshotStatus
from assessments.models import LedgerEnterpriseFact, LedgerPeriod, LedgerRow, LedgerSnapshot
from assessments.rules import FIGURE_BY_NAME, FIGURES, SIZE_50, SIZE_100, annotate_ledger, figure_bit, filter_figure
from enterprises.choices import EnterpriseKind, Industry
from enterprises.models import Enterprise
from portal.choices import RegionLevel
from portal.models import Region
from portal.scoping import region_visible_to


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def figure_enterprises(queryset: QuerySet, figure: str, as_of: dt.date) -> QuerySet:
    """Enterprises of `queryset` counted in `figure`: what is behind a number on a dashboard."""
    return filter_figure(queryset, figure, as_of)


def annotate_page(enterprises: Iterable[Enterprise], as_of: dt.date) -> list[Enterprise]:
    """The enterprises of one page, in the same order, with every per-enterprise figure (one query)."""
    ids = [enterprise.pk for enterprise in enterprises]
    rows = annotate_ledger(Enterprise.objects.filter(pk__in=ids), as_of).select_related("region", "carrier")
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def current_campaigns(region: Region | None) -> list:
    """The current survey campaigns that concern `region` (its own, an ancestor's or a descendant's)."""
    from enterprises.models import SurveyCampaign

    if region is None:
        return []
    campaigns = SurveyCampaign.objects.filter(is_current=True).select_related("region")
    return [c for c in campaigns if region.path.startswith(c.region.path) or c.region.path.startswith(region.path)]


def latest_snapshot(as_of: dt.date | None = None) -> LedgerSnapshot | None:
    """The newest complete nightly snapshot on or before `as_of` (or the newest of all)."""
    snapshots = LedgerSnapshot.objects.complete().nightly()
    if as_of is not None:
        snapshots = snapshots.filter(as_of__lte=as_of)
    return snapshots.order_by("-as_of").first()


def snapshot_mismatches(snapshot: LedgerSnapshot, regions: Iterable[Region] | None = None) -> list[str]:
    """Differences between a snapshot's region rows and the figures counted again now (empty when
    they agree: nothing changed since the snapshot was taken)."""
    from assessments.snapshots import live_totals

    if snapshot.status != SnapshotStatus.COMPLETE:
        return [f"{snapshot} 未完成"]
    rows = LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION).select_related("region")
    if regions is not None:
        rows = rows.filter(region__in=list(regions))
    problems = []
    for row in rows:
        live = live_totals(Enterprise.objects.in_scope().in_region(row.region), snapshot.as_of)
        for figure in FIGURES:
            stored = getattr(row, figure.name)
            if live[figure.name] != stored:
                problems.append(f"{row.region.name} {figure.label}：快照 {stored}，实时 {live[figure.name]}")
    return problems


def collect_period_problems(period: LedgerPeriod) -> list[str]:
    """校核 (a read): the snapshot is complete, its figures are consistent with each other, and
    the live per-enterprise rules still give the same numbers (nothing changed since 重新统计)."""
    snapshot = period.snapshots.first()
    if snapshot is None:
        return ["尚未统计，请先重新统计"]
    problems = []
    row = LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION, region=period.region).first()
    if row is None:
        return ["快照中没有本区域的数据"]
    if row.with_members + row.without_members != row.enterprises:
        problems.append("有党员企业与无党员企业之和不等于企业总数")
    if row.org_covered > row.with_members or row.work_covered > row.without_members:
        problems.append("覆盖数大于应覆盖数")
    if row.standalone + row.joint_only + row.no_org != row.enterprises:
        problems.append("单独建立、联合建立、未建立党组织的企业之和不等于单位数")
    if row.no_org_due + row.no_org_few + row.no_org_none != row.no_org:
        problems.append("未建立党组织的企业分类之和不等于未建立党组织数")
    problems += snapshot_mismatches(snapshot, regions=[period.region])
    return problems


FIGURE_NAMES = frozenset(FIGURE_BY_NAME)


def _group_keys(queryset: QuerySet, params, user, *, facts: bool) -> QuerySet:
    """The group keys of a dashboard line (?region=&carrier=&industry=&kind=&above_scale=
    &legal_member=&size_band=) on enterprises (`facts=False`: their current fields) or on a
    snapshot's facts (`facts=True`: the keys as the snapshot counted them, the same keys its rows
    are grouped by). One reading of the keys for both, so the two lists cannot drift apart."""
    code = params.get("region", "").strip()
    if code:
        region = get_object_or_404(region_visible_to(user), code=code)
        if params.get("unplaced") in ("1", True):
            # Only the enterprises registered at the region itself, not placed below it.
            queryset = queryset.filter(region=region)
        else:
            queryset = queryset.filter(region__in=Region.objects.filter(path__startswith=region.path).values("id"))
    carrier = params.get("carrier", "")
    if carrier.isdigit():
        queryset = queryset.filter(carrier_id=int(carrier))
    if params.get("industry") in Industry.values:
        queryset = queryset.filter(industry=params["industry"])
    if params.get("kind") in EnterpriseKind.values:
        queryset = queryset.filter(kind=params["kind"])
    legal_field = "legal_member" if facts else "legal_representative_is_member"
    for key, field in (("above_scale", "above_scale"), ("legal_member", legal_field)):
        if params.get(key) in ("True", "False"):
            queryset = queryset.filter(**{field: params[key] == "True"})
    band = params.get("size_band")
    if band in (SIZE_50, SIZE_100):
        if facts:
            queryset = queryset.filter(size_band=band)
        elif band == SIZE_100:
            queryset = queryset.filter(employee_count__gte=100)
        else:
            queryset = queryset.filter(employee_count__gte=50, employee_count__lt=100)
    return queryset


def group_filter(queryset: QuerySet, params, user) -> QuerySet:
    """A dashboard line's group keys applied to enterprises (live lists)."""
    return _group_keys(queryset, params, user, facts=False)


# --- The enterprises behind a snapshot's number: its per-enterprise facts --------------------------

# Whose gap lists default to the newest snapshot (a whole city live takes seconds); districts
# default to live data, which is what staff fixing gaps want.
SNAPSHOT_FIRST_LEVELS = frozenset({RegionLevel.PROVINCE, RegionLevel.CITY})


def prefers_snapshot(user) -> bool:
    if user.is_superuser:
        return True
    jurisdiction = getattr(user, "jurisdiction", None)
    return jurisdiction is not None and jurisdiction.level in SNAPSHOT_FIRST_LEVELS


def snapshot_has_facts(snapshot: LedgerSnapshot) -> bool:
    """Whether the snapshot still holds its per-enterprise facts (older ones are pruned)."""
    return LedgerEnterpriseFact.objects.filter(snapshot=snapshot).exists()


def fact_group_filter(facts: QuerySet, params, user) -> QuerySet:
    """A dashboard line's group keys applied to a snapshot's per-enterprise facts."""
    return _group_keys(facts, params, user, facts=True)


def snapshot_figure_facts(user, snapshot: LedgerSnapshot, figure: str, params) -> QuerySet:
    """The user's facts of `snapshot` counted in `figure`, narrowed to the line's group keys."""
    facts = LedgerEnterpriseFact.objects.visible_to(user).filter(snapshot=snapshot).holding(figure)
    return fact_group_filter(facts, params, user)


def snapshot_figure_enterprises(user, snapshot: LedgerSnapshot, figure: str, params) -> QuerySet:
    """Enterprises the snapshot counted in `figure` for the line: exactly the number it shows
    (an enterprise deleted since, or moved out of the user's region, is no longer listed)."""
    facts = snapshot_figure_facts(user, snapshot, figure, params)
    return Enterprise.objects.visible_to(user).filter(pk__in=facts.values("enterprise_id"))


# What the list rows show, read from a fact's bits instead of the live rules.
PAGE_FIGURES = ("with_members", "without_members", "org_covered", "work_covered", "surveyed")


def _as_counted(enterprise: Enterprise, fact: LedgerEnterpriseFact | None) -> Enterprise:
    """Set the per-enterprise figures and counts on `enterprise` as the fact holds them."""
    enterprise.full_members = fact.full_members if fact else 0
    enterprise.probationary_members = fact.probationary_members if fact else 0
    enterprise.active_instructors = fact.active_instructors if fact else 0
    for name in FIGURE_BY_NAME:
        setattr(enterprise, name, bool(fact and fact.holds(name)))
    return enterprise


def annotate_page_from_facts(enterprises: Iterable[Enterprise], snapshot: LedgerSnapshot) -> list[Enterprise]:
    """The enterprises of one page with their figures as `snapshot` counted them (one query)."""
    rows = list(enterprises)
    facts = LedgerEnterpriseFact.objects.filter(snapshot=snapshot, enterprise_id__in=[e.pk for e in rows])
    by_id = {fact.enterprise_id: fact for fact in facts}
    return [_as_counted(enterprise, by_id.get(enterprise.pk)) for enterprise in rows]


def page_from_facts(facts: Iterable[LedgerEnterpriseFact], user) -> list[Enterprise]:
    """The enterprises of one page of facts, in the same order, with their figures as the snapshot
    counted them (one query). An enterprise deleted since, or no longer visible to the user, is
    left out."""
    facts = list(facts)
    enterprises = (
        Enterprise.objects.visible_to(user)
        .filter(pk__in=[fact.enterprise_id for fact in facts])
        .select_related("region", "carrier")
    )
    by_id = {enterprise.pk: enterprise for enterprise in enterprises}
    return [_as_counted(by_id[fact.enterprise_id], fact) for fact in facts if fact.enterprise_id in by_id]


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
        .order_by("region__path", "enterprise__name", "enterprise_id")
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


# --- The annual party-statistics table (非公有制经济控制企业党建情况), read from a snapshot --------


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
    ("应建未建（3名以上正式党员，未单独建立党组织）", 1, ("standalone_due",)),
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


# --- Excel export of a figure's enterprises: one streamed pass, the snapshot's compilation --------

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
    from assessments.snapshots import SESSION_SETTINGS, enterprise_rows_sql, figure_conditions

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
ORDER BY r.path, x.name, x.id"""  # noqa: S608
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(SESSION_SETTINGS)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, [*flag_params, *inner_params, *where_params])
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    yield _export_line(row[:9], row[9:])
