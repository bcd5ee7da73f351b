"""The rules the ledger counts (shared/DOMAIN.md "The rules the ledger counts"), written once.

Two layers, both evaluated by PostgreSQL:

* `base_annotations(as_of)`: the facts about one enterprise that need other tables (has members,
  covered by an active standalone / joint organization, active instructor, visited ...). Every
  "is there a ..." is `pk IN (uncorrelated subquery)`, which the planner evaluates once as a
  hashed subplan (or a semi-join in WHERE), so a pass over a million enterprises stays one pass.
  Member and instructor counts are correlated subqueries guarded by such a test (`CASE`), so they
  run only for the enterprises that have members or an instructor.
* `FIGURES`: every ledger figure as a `Q` over those base names (组织覆盖, 工作覆盖, 应单独组建 ...).

`annotate_ledger(queryset, as_of)` puts both on an Enterprise queryset: the enterprise coverage
panel, the gap lists, the drill-down lists, the API and the Excel exports read it. The snapshot
(assessments/snapshots.py) selects the base annotations of that same queryset and compiles the
same `FIGURES` into `count(*) FILTER (...)` of one GROUPING SETS pass — so a number on a screen
and the list of enterprises behind it cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
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
# 50+ without members: every enterprise of at least this many employees should have members.
MEMBERS_EXPECTED_FROM_EMPLOYEES = 50
# The statistics table's second size column.
LARGE_EMPLOYEES = 100

# Size bands: a grouping dimension, so the statistics table's "50 人以上" / "100 人以上" columns
# come out of the snapshot. "" is unknown or under 50.
SIZE_SMALL, SIZE_50, SIZE_100 = "", "50", "100"


class CreditCodeOk(Func):
    """GB 32100 check character right, evaluated by the database (SQL function created by
    assessments migration 0003, the same arithmetic as portal.validators.credit_code_check_ok)."""

    function = "ledger_credit_code_ok"
    output_field = BooleanField()


def _bool(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def _ids(queryset: QuerySet, column: str) -> QuerySet:
    return queryset.order_by().values(column)


def _covered_by(as_of: dt.date, **filters) -> Q:
    """The enterprise is covered by an organization active on `as_of` matching `filters`."""
    through = PartyOrganization.covered_enterprises.through
    organizations = PartyOrganization.objects.filter(active_on_q(as_of), **filters).values("pk")
    return Q(pk__in=_ids(through.objects.filter(partyorganization_id__in=organizations), "enterprise_id"))


def _counted_members() -> QuerySet:
    """Members counted: full and probationary (DOMAIN.md), by workplace."""
    return PartyMember.objects.filter(status__in=MemberStatus.values, workplace__isnull=False)


def _member_count(status: str) -> Subquery:
    return Subquery(
        PartyMember.objects.filter(workplace=OuterRef("pk"), status=status)
        .order_by()
        .values("workplace")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _guarded(flag: str, count: Subquery) -> Case:
    return Case(When(**{flag: True}, then=Coalesce(count, 0)), default=Value(0), output_field=IntegerField())


def base_annotations(as_of: dt.date) -> dict:
    """The per-enterprise facts every figure is made of, as of `as_of`. Not restricted to the
    ledger's scope: FIGURES add `is_in_scope` where the rule needs it."""
    has_member = Q(pk__in=_ids(_counted_members(), "workplace_id"))
    three_full = Q(
        pk__in=_counted_members()
        .filter(status=MemberStatus.FULL)
        .order_by()
        .values("workplace_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=STANDALONE_MIN_FULL_MEMBERS)
        .values("workplace_id")
    )
    active_assignments = Assignment.objects.filter(assignment_active_q(as_of))
    incomplete_member = Q(
        pk__in=_ids(
            _counted_members().filter(
                Q(gender="") | Q(birth_date__isnull=True) | Q(education="") | Q(joined_on__isnull=True)
            ),
            "workplace_id",
        )
    )
    # Distribution: every member has a workplace (true here) and an organization relationship,
    # unless marked mobile.
    unplaced_member = Q(
        pk__in=_ids(_counted_members().filter(organization__isnull=True, is_mobile=False), "workplace_id")
    )
    visited = Q(
        pk__in=_ids(SurveyVisit.objects.filter(campaign__is_current=True, visited_on__lte=as_of), "enterprise_id")
    )
    basic_complete = (
        ~Q(name="")
        & ~Q(industry="")
        & ~Q(address="")
        & ~Q(legal_representative="")
        & Q(employee_count__isnull=False)
        & Q(registered_on__isnull=False)
        & (Q(credit_code_check_confirmed=True) | Q(CreditCodeOk(F("credit_code"))))
    )
    return {
        "is_in_scope": _bool(Q(registration_status__in=IN_SCOPE_STATUSES)),
        "has_members": _bool(has_member),
        "has_three_full": _bool(three_full),
        "has_instructor": _bool(Q(pk__in=_ids(active_assignments, "enterprise_id"))),
        "by_standalone": _bool(_covered_by(as_of, formation=Formation.STANDALONE)),
        "by_joint": _bool(_covered_by(as_of, formation=Formation.JOINT)),
        "by_committee": _bool(_covered_by(as_of, formation=Formation.STANDALONE, level=OrgLevel.COMMITTEE)),
        "by_general_branch": _bool(_covered_by(as_of, formation=Formation.STANDALONE, level=OrgLevel.GENERAL_BRANCH)),
        "employees_50": _bool(Q(employee_count__gte=MEMBERS_EXPECTED_FROM_EMPLOYEES)),
        "employees_100": _bool(Q(employee_count__gte=LARGE_EMPLOYEES)),
        "basic_ok": _bool(basic_complete),
        "visited": _bool(visited),
        "members_complete": _bool(~incomplete_member),
        "members_placed": _bool(~unplaced_member),
    }


def count_annotations(as_of: dt.date) -> dict:
    """Per-enterprise counts (need `has_members` / `has_instructor` annotated first)."""
    instructors = Subquery(
        Assignment.objects.filter(assignment_active_q(as_of), enterprise=OuterRef("pk"))
        .order_by()
        .values("enterprise")
        .annotate(n=Count("instructor", distinct=True))
        .values("n"),
        output_field=IntegerField(),
    )
    return {
        "full_members": _guarded("has_members", _member_count(MemberStatus.FULL)),
        "probationary_members": _guarded("has_members", _member_count(MemberStatus.PROBATIONARY)),
        "active_instructors": _guarded("has_instructor", instructors),
    }


BASE_FLAGS = (
    "is_in_scope",
    "has_members",
    "has_three_full",
    "has_instructor",
    "by_standalone",
    "by_joint",
    "by_committee",
    "by_general_branch",
    "employees_50",
    "employees_100",
    "basic_ok",
    "visited",
    "members_complete",
    "members_placed",
)
COUNTS = ("full_members", "probationary_members", "active_instructors")


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
        "其中：3名以上正式党员",
        IN_SCOPE & ~_f("by_standalone") & _f("by_joint") & _f("has_three_full"),
    ),
    Figure("no_org", "未建立党组织", IN_SCOPE & ~ANY_ORG),
    Figure("no_org_due", "其中：应建未建", IN_SCOPE & ~ANY_ORG & _f("has_three_full")),
    Figure("no_org_few", "其中：仅有个别党员", IN_SCOPE & ~ANY_ORG & _f("has_members") & ~_f("has_three_full")),
    Figure("no_org_none", "其中：没有党员", IN_SCOPE & ~ANY_ORG & ~_f("has_members")),
    Figure("fifty_plus", "从业人员50人以上", IN_SCOPE & _f("employees_50")),
    Figure("hundred_plus", "从业人员100人以上", IN_SCOPE & _f("employees_100")),
)
FIGURE_BY_NAME = {figure.name: figure for figure in FIGURES}
GAPS = tuple(figure for figure in FIGURES if figure.gap)

# Sums kept in the snapshot besides the counts: (column, per-enterprise source, label).
SUMS: tuple[tuple[str, str, str], ...] = (
    ("full_members", "full_members", "正式党员数"),
    ("probationary_members", "probationary_members", "预备党员数"),
    ("instructor_assignments", "active_instructors", "派驻指导员（人次）"),
    ("employees", "employee_count", "从业人员数"),
)


def annotate_ledger(queryset: QuerySet, as_of: dt.date) -> QuerySet:
    """Annotate Enterprise rows with every per-enterprise ledger figure as of `as_of`: the base
    facts, the counts, `member_count`, and one boolean per entry of FIGURES."""
    queryset = queryset.annotate(**base_annotations(as_of)).annotate(**count_annotations(as_of))
    return queryset.annotate(
        member_count=F("full_members") + F("probationary_members"),
        **{figure.name: _bool(figure.rule) for figure in FIGURES},
    )


def filter_figure(queryset: QuerySet, figure: str, as_of: dt.date) -> QuerySet:
    """Enterprises of `queryset` counted in `figure` as of `as_of` (the drill-down behind a count)."""
    rule = FIGURE_BY_NAME[figure].rule
    return queryset.alias(**base_annotations(as_of)).filter(rule)
