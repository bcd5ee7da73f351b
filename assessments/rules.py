"""The rules the ledger counts (docs/domain.md "The rules the ledger counts"), written once.

Three layers, all evaluated by PostgreSQL:

1. `fact_sources(as_of)`: one grouped queryset per table (members by workplace, active
   organizations by covered enterprise, active assignments, current-campaign visits) with one
   count per fact.
2. `BASES`: each per-enterprise fact as a `Q` over those counts or the enterprise's own fields
   (has members, ≥3 full members, covered by an active standalone / joint organization ...).
3. `FIGURES`: every ledger figure as a `Q` over the base facts (组织覆盖, 工作覆盖, 应单独组建 ...).

Three compilations of the same definitions, each for what it serves:

* `filter_figure(queryset, figure, as_of)`: the enterprises behind a figure (gap and drill-down
  lists, their counts): the base facts a rule names as EXISTS on the enterprise's source rows.
* `annotate_ledger(queryset, as_of)`: every fact count, base fact and figure on each row, as
  correlated subqueries (the coverage panel, the rows of a page, API pages).
* the snapshot and the exports (assessments/snapshots.py): the sources LEFT JOINed to the
  enterprises once, the base rules and FIGURES compiled into `count(*) FILTER (...)` of one
  GROUPING SETS statement (or into the WHERE of an export).

The tests hold all three to the same hand-built answers, and the snapshot to the per-enterprise
annotations on the demo city: a number on a screen and the list of enterprises behind it cannot
disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from enterprises.choices import IN_SCOPE_STATUSES
from enterprises.models import SurveyVisit
from instructors.models import Assignment
from instructors.querysets import assignment_active_q
from organizations.choices import Formation, MemberStatus, OrgLevel
from organizations.models import PartyMember, PartyOrganization
from organizations.querysets import active_on_q

# 应单独组建: an enterprise with at least this many full members should have its own organization.
STANDALONE_MIN_FULL_MEMBERS = 3
# The statistics table's 已建立联合党支部的 › 具有3名以上党员的: members of both statuses (党员 in
# the party statistics include probationary members).
JOINT_MIN_MEMBERS = 3
# 50+ without members: every enterprise of at least this many employees should have members.
MEMBERS_EXPECTED_FROM_EMPLOYEES = 50
# The statistics table's second size column.
LARGE_EMPLOYEES = 100

# Level mismatch (a warning): a branch with over 50 members, a general branch with over 100.
BRANCH_MAX_MEMBERS = 50
GENERAL_BRANCH_MAX_MEMBERS = 100

# Size bands: a grouping dimension, so the statistics table's "50 人以上" / "100 人以上" columns
# come out of the snapshot. "" is unknown or under 50.
SIZE_SMALL, SIZE_50, SIZE_100 = "", "50", "100"


class CreditCodeOk(Func):
    """GB 32100 check character right, evaluated by the database (SQL function created by
    assessments migration 0004, the same arithmetic as portal.validators.credit_code_check_ok)."""

    function = "ledger_credit_code_ok"
    output_field = BooleanField()


def _bool(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


# --- Layer 1: fact sources -----------------------------------------------------------------------
# One grouped queryset per table, keyed by enterprise id, with one count per fact. An enterprise
# without a row in a source has every count of it zero.


@dataclass(frozen=True)
class FactSource:
    name: str
    key: str  # the enterprise id column of the source
    queryset: QuerySet  # .values(key).annotate(<fact columns>)
    columns: tuple[str, ...]


def counted_members() -> QuerySet:
    """Members counted: full and probationary (DOMAIN.md), by workplace."""
    return PartyMember.objects.filter(status__in=MemberStatus.values, workplace__isnull=False)


def fact_sources(as_of: dt.date) -> tuple[FactSource, ...]:
    """Everything the ledger needs from other tables, as of `as_of`."""
    org = "partyorganization__"
    members = (
        counted_members()
        .order_by()
        .values("workplace_id")
        .annotate(
            full_members=Count("pk", filter=Q(status=MemberStatus.FULL)),
            # 党员 in the party statistics: full and probationary together.
            all_members=Count("pk"),
            probationary_members=Count("pk", filter=Q(status=MemberStatus.PROBATIONARY)),
            # 党员结构清楚 needs gender, birth date, education, join date (status is never blank).
            incomplete_members=Count(
                "pk",
                filter=Q(gender="") | Q(birth_date__isnull=True) | Q(education="") | Q(joined_on__isnull=True),
            ),
            # 党员分布清楚: a workplace (true here) and an organization relationship, unless mobile.
            unplaced_members=Count("pk", filter=Q(organization__isnull=True, is_mobile=False)),
        )
    )
    organizations = (
        PartyOrganization.covered_enterprises.through.objects.filter(active_on_q(as_of, prefix=org))
        .order_by()
        .values("enterprise_id")
        .annotate(
            standalone_orgs=Count("pk", filter=Q(**{f"{org}formation": Formation.STANDALONE})),
            joint_orgs=Count("pk", filter=Q(**{f"{org}formation": Formation.JOINT})),
            committee_orgs=Count(
                "pk", filter=Q(**{f"{org}formation": Formation.STANDALONE, f"{org}level": OrgLevel.COMMITTEE})
            ),
            general_branch_orgs=Count(
                "pk", filter=Q(**{f"{org}formation": Formation.STANDALONE, f"{org}level": OrgLevel.GENERAL_BRANCH})
            ),
        )
    )
    assignments = (
        Assignment.objects.filter(assignment_active_q(as_of))
        .order_by()
        .values("enterprise_id")
        .annotate(active_instructors=Count("instructor", distinct=True))
    )
    visits = (
        SurveyVisit.objects.filter(campaign__is_current=True, visited_on__lte=as_of)
        .order_by()
        .values("enterprise_id")
        .annotate(current_visits=Count("pk"))
    )
    return (
        FactSource(
            "members",
            "workplace_id",
            members,
            ("full_members", "probationary_members", "all_members", "incomplete_members", "unplaced_members"),
        ),
        FactSource(
            "organizations",
            "enterprise_id",
            organizations,
            ("standalone_orgs", "joint_orgs", "committee_orgs", "general_branch_orgs"),
        ),
        FactSource("assignments", "enterprise_id", assignments, ("active_instructors",)),
        FactSource("visits", "enterprise_id", visits, ("current_visits",)),
    )


# --- Layer 2: base facts, one boolean each --------------------------------------------------------


@dataclass(frozen=True)
class Base:
    """A per-enterprise fact: `rule` is a Q over the enterprise's own fields (source None) or over
    the fact columns of one source; `without_rows` is the rule's value when the source has no row
    for the enterprise (all counts zero), declared so that filtering can be an EXISTS (or NOT
    EXISTS) on the source's rows; the table-driven tests check every declaration."""

    name: str
    rule: Q
    source: str | None = None
    without_rows: bool = False


BASES: tuple[Base, ...] = (
    Base("is_in_scope", Q(registration_status__in=IN_SCOPE_STATUSES)),
    Base("has_members", Q(full_members__gt=0) | Q(probationary_members__gt=0), "members"),
    # 应单独组建 counts full members only.
    Base("has_three_full", Q(full_members__gte=STANDALONE_MIN_FULL_MEMBERS), "members"),
    # The statistics table's 具有3名以上党员的 counts full and probationary members together.
    Base("has_three_members", Q(all_members__gte=JOINT_MIN_MEMBERS), "members"),
    Base("has_instructor", Q(active_instructors__gt=0), "assignments"),
    Base("by_standalone", Q(standalone_orgs__gt=0), "organizations"),
    Base("by_joint", Q(joint_orgs__gt=0), "organizations"),
    Base("by_committee", Q(committee_orgs__gt=0), "organizations"),
    Base("by_general_branch", Q(general_branch_orgs__gt=0), "organizations"),
    Base("employees_50", Q(employee_count__gte=MEMBERS_EXPECTED_FROM_EMPLOYEES)),
    Base("employees_100", Q(employee_count__gte=LARGE_EMPLOYEES)),
    # 总体情况清楚: basic fields complete and credit code valid (check character right or confirmed).
    Base(
        "basic_ok",
        ~Q(name="")
        & ~Q(industry="")
        & ~Q(address="")
        & ~Q(legal_representative="")
        & Q(employee_count__isnull=False)
        & Q(registered_on__isnull=False)
        & (Q(credit_code_check_confirmed=True) | Q(CreditCodeOk(F("credit_code")))),
    ),
    # 党员数量清楚: confirmed by a visit in the current campaign.
    Base("visited", Q(current_visits__gt=0), "visits"),
    Base("members_complete", Q(incomplete_members=0), "members", without_rows=True),
    Base("members_placed", Q(unplaced_members=0), "members", without_rows=True),
)
BASE_FLAGS = tuple(base.name for base in BASES)
COUNTS = ("full_members", "probationary_members", "active_instructors")

# Size bands: a grouping dimension for the statistics table's "50 人以上" / "100 人以上" columns.
SIZE_BAND = Case(
    When(employee_count__gte=LARGE_EMPLOYEES, then=Value(SIZE_100)),
    When(employee_count__gte=MEMBERS_EXPECTED_FROM_EMPLOYEES, then=Value(SIZE_50)),
    default=Value(SIZE_SMALL),
)


def base_filters(as_of: dt.date) -> dict:
    """The base facts for filtering large sets (gap and drill-down lists, counts): each is an
    EXISTS on the enterprise's rows of its source (NOT EXISTS when the rule holds without rows),
    an index probe per enterprise, never a scan per enterprise whatever the planner estimates.
    Use with `.alias()`: only the facts a filter names are compiled."""
    sources = {source.name: source for source in fact_sources(as_of)}
    annotations = {}
    for base in BASES:
        if base.source is None:
            annotations[base.name] = _bool(base.rule)
            continue
        source = sources[base.source]
        rows = source.queryset.filter(**{source.key: OuterRef("pk")})
        if base.without_rows:
            annotations[base.name] = ~Exists(rows.filter(~base.rule))
        else:
            annotations[base.name] = Exists(rows.filter(base.rule))
    return annotations


def fact_annotations(as_of: dt.date) -> dict:
    """Every fact column for each enterprise row, as correlated subqueries on the sources (an
    index lookup per row: for pages, panels and API pages, not for a million rows)."""
    annotations = {}
    for source in fact_sources(as_of):
        for column in source.columns:
            value = Subquery(
                source.queryset.filter(**{source.key: OuterRef("pk")}).values(column)[:1],
                output_field=IntegerField(),
            )
            annotations[column] = Coalesce(value, 0)
    return annotations


def _f(name: str) -> Q:
    return Q(**{name: True})


IN_SCOPE = _f("is_in_scope")
WITH_MEMBERS = IN_SCOPE & _f("has_members")
WITHOUT_MEMBERS = IN_SCOPE & ~_f("has_members")
ANY_ORG = _f("by_standalone") | _f("by_joint")


@dataclass(frozen=True)
class Figure:
    """One ledger figure: its code name, Chinese label, and the rule as a Q over base names."""

    name: str
    label: str
    rule: Q
    gap: bool = False  # a gap to list and close (target: zero)


FIGURES: tuple[Figure, ...] = (
    Figure("enterprises", "企业数（存续/在业）", IN_SCOPE),
    Figure("with_members", "有党员企业", WITH_MEMBERS),
    Figure("without_members", "无党员企业", WITHOUT_MEMBERS),
    # 组织覆盖: with members, covered by at least one active organization (standalone or joint).
    Figure("org_covered", "组织覆盖企业", WITH_MEMBERS & ANY_ORG),
    Figure("org_covered_standalone", "其中：单独组建覆盖", WITH_MEMBERS & _f("by_standalone")),
    Figure("org_covered_joint", "其中：联合组建覆盖", WITH_MEMBERS & _f("by_joint")),
    Figure("members_no_org", "有党员未建组织", WITH_MEMBERS & ~ANY_ORG, gap=True),
    # 工作覆盖: without members, an active instructor or an active joint organization.
    Figure("work_covered", "工作覆盖企业", WITHOUT_MEMBERS & (_f("has_instructor") | _f("by_joint"))),
    Figure("work_by_instructor", "其中：派驻指导员", WITHOUT_MEMBERS & _f("has_instructor")),
    Figure("work_by_joint", "其中：联合党组织覆盖", WITHOUT_MEMBERS & _f("by_joint")),
    Figure("work_uncovered", "无党员且未工作覆盖", WITHOUT_MEMBERS & ~_f("has_instructor") & ~_f("by_joint")),
    Figure("no_members_no_instructor", "无党员且无指导员", WITHOUT_MEMBERS & ~_f("has_instructor"), gap=True),
    # 应单独组建: at least 3 full members and no active standalone organization of its own.
    Figure(
        "standalone_due",
        "应建未建（3名以上正式党员）",
        IN_SCOPE & _f("has_three_full") & ~_f("by_standalone"),
        gap=True,
    ),
    Figure("fifty_no_members", "50人以上无党员", WITHOUT_MEMBERS & _f("employees_50"), gap=True),
    Figure("surveyed", "本轮已排查", IN_SCOPE & _f("visited")),
    Figure("not_surveyed", "本轮未排查", IN_SCOPE & ~_f("visited"), gap=True),
    # 四个清楚
    Figure("clear_overall", "总体情况清楚", IN_SCOPE & _f("basic_ok")),
    Figure("clear_member_count", "党员数量清楚", IN_SCOPE & _f("visited")),
    Figure("clear_structure", "党员结构清楚", IN_SCOPE & _f("members_complete")),
    Figure("clear_distribution", "党员分布清楚", IN_SCOPE & _f("members_placed")),
    Figure(
        "clear_all",
        "四个清楚",
        IN_SCOPE & _f("basic_ok") & _f("visited") & _f("members_complete") & _f("members_placed"),
    ),
    # The annual statistics table's partition: standalone / joint only / none.
    Figure("instructor_contacted", "党建工作指导员联系的", IN_SCOPE & _f("has_instructor")),
    Figure("standalone", "已单独建立党组织", IN_SCOPE & _f("by_standalone")),
    Figure("standalone_committee", "其中：党委", IN_SCOPE & _f("by_committee")),
    Figure("standalone_general_branch", "其中：党总支", IN_SCOPE & ~_f("by_committee") & _f("by_general_branch")),
    Figure(
        "standalone_branch",
        "其中：党支部",
        IN_SCOPE & _f("by_standalone") & ~_f("by_committee") & ~_f("by_general_branch"),
    ),
    Figure("joint_only", "已建立联合党支部", IN_SCOPE & ~_f("by_standalone") & _f("by_joint")),
    Figure(
        "joint_only_3plus",
        "其中：具有3名以上党员的",
        IN_SCOPE & ~_f("by_standalone") & _f("by_joint") & _f("has_three_members"),
    ),
    Figure("no_org", "未建立党组织", IN_SCOPE & ~ANY_ORG),
    Figure("no_org_due", "其中：有3名以上正式党员的", IN_SCOPE & ~ANY_ORG & _f("has_three_full")),
    Figure("no_org_few", "其中：仅有个别党员", IN_SCOPE & ~ANY_ORG & _f("has_members") & ~_f("has_three_full")),
    Figure("no_org_none", "其中：没有党员", IN_SCOPE & ~ANY_ORG & ~_f("has_members")),
    Figure("fifty_plus", "从业人员50人以上", IN_SCOPE & _f("employees_50")),
    Figure("hundred_plus", "从业人员100人以上", IN_SCOPE & _f("employees_100")),
)
FIGURE_BY_NAME = {figure.name: figure for figure in FIGURES}
# The bit of each figure in LedgerEnterpriseFact.figures (a bigint holds 63).
FIGURE_INDEX = {figure.name: index for index, figure in enumerate(FIGURES)}
assert len(FIGURES) <= 63  # noqa: S101


def figure_bit(figure: str) -> int:
    """The bit of `figure` in LedgerEnterpriseFact.figures."""
    return 1 << FIGURE_INDEX[figure]


GAPS = tuple(figure for figure in FIGURES if figure.gap)

# Sums kept in the snapshot besides the counts: (column, per-enterprise source, label).
SUMS: tuple[tuple[str, str, str], ...] = (
    ("full_members", "full_members", "正式党员数"),
    ("probationary_members", "probationary_members", "预备党员数"),
    ("instructor_assignments", "active_instructors", "派驻指导员（人次）"),
    ("employees", "employee_count", "从业人员数"),
)


def annotate_ledger(queryset: QuerySet, as_of: dt.date) -> QuerySet:
    """Annotate Enterprise rows with every per-enterprise ledger figure as of `as_of`: the fact
    counts (full_members, probationary_members, active_instructors ...), `member_count`, every
    base fact and one boolean per entry of FIGURES. Correlated per row: annotate the rows of a page
    (filter large sets with `filter_figure` first)."""
    queryset = queryset.annotate(**fact_annotations(as_of))
    queryset = queryset.annotate(**{base.name: _bool(base.rule) for base in BASES})
    return queryset.annotate(
        member_count=F("full_members") + F("probationary_members"),
        **{figure.name: _bool(figure.rule) for figure in FIGURES},
    )


def filter_figure(queryset: QuerySet, figure: str, as_of: dt.date) -> QuerySet:
    """Enterprises of `queryset` counted in `figure` as of `as_of` (the list behind a count)."""
    return queryset.alias(**base_filters(as_of)).filter(FIGURE_BY_NAME[figure].rule)


def level_mismatch_organizations(organizations: QuerySet, as_of: dt.date) -> QuerySet:
    """组织设置预警 (DOMAIN.md "level mismatch"): active organizations whose level is too small for
    their members — a branch with over 50, a general branch with over 100 — with `member_total`."""
    return (
        organizations.filter(active_on_q(as_of))
        .annotate(member_total=Count("members", filter=Q(members__status__in=MemberStatus.values)))
        .filter(
            Q(level=OrgLevel.BRANCH, member_total__gt=BRANCH_MAX_MEMBERS)
            | Q(level=OrgLevel.GENERAL_BRANCH, member_total__gt=GENERAL_BRANCH_MAX_MEMBERS)
        )
    )
