"""The planners (issue 10 "Beyond what other party-building systems offer"): 组建建议, 派驻建议,
落实到街道 and the 本轮排查 worklist. Reads only, each a fixed number of set-based queries over
the user's region (`visible_to`), on the same rules as the ledger (assessments/rules.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Length, StrIndex

from assessments import actions
from assessments.rules import ANY_ORG, FIGURE_BY_NAME, base_filters, counted_members
from enterprises.models import Enterprise, SurveyVisit
from instructors.models import Assignment, Instructor
from instructors.querysets import assignment_active_q
from organizations.choices import MemberStatus
from portal.choices import RegionLevel
from portal.models import Region, User

# 组建建议: a joint organization needs at least this many full members (a branch's minimum).
JOINT_PLAN_MIN_FULL = 3


def _full_members() -> Subquery:
    """Full members working at the enterprise of the outer row (0 when none)."""
    rows = (
        counted_members()
        .filter(workplace=OuterRef("pk"), status=MemberStatus.FULL)
        .order_by()
        .values("workplace")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


# --- 组建建议 -------------------------------------------------------------------------------------


def joint_candidates(user: User, as_of: dt.date) -> QuerySet:
    """In-scope enterprises of the user's region on an active carrier, covered by no active
    organization, with `full` (full members) and `has_members`."""
    return (
        Enterprise.objects.visible_to(user)
        .in_scope()
        .filter(carrier__isnull=False, carrier__ended_on__isnull=True)
        .alias(**base_filters(as_of))
        .filter(~ANY_ORG)
        .annotate(full=_full_members())
    )


def joint_plan(user: User, as_of: dt.date) -> QuerySet:
    """One row per carrier where enterprises with 1–2 full members add up to 3 or more: `few`
    (their ids), `few_full` (their full members) and `empty` (the enterprises without members on
    the same carrier), proposed as one joint organization. One grouped query."""
    few = Q(full__gte=1, full__lt=JOINT_PLAN_MIN_FULL)
    return (
        joint_candidates(user, as_of)
        .values("carrier_id", "carrier__name", "carrier__region__name")
        .annotate(
            few=ArrayAgg("pk", filter=few, order_by="pk"),
            few_full=Coalesce(Sum("full", filter=few), 0),
            empty=ArrayAgg("pk", filter=Q(has_members=False), order_by="pk", default=[]),
        )
        .filter(few_full__gte=JOINT_PLAN_MIN_FULL)
        .order_by("carrier__name", "carrier_id")
    )


@dataclass
class JointProposal:
    carrier_id: int
    carrier_name: str
    region_name: str
    few_full: int
    with_members: list[Enterprise]
    without_members: list[Enterprise]

    @property
    def action(self) -> actions.Action:
        ids = [e.pk for e in self.with_members] + [e.pk for e in self.without_members]
        return actions.joint_create(self.carrier_id, ids)


def joint_proposals(rows: list[dict[str, Any]]) -> list[JointProposal]:
    """A page of `joint_plan` rows with their enterprises (one query)."""
    ids = {pk for row in rows for pk in (*row["few"], *row["empty"])}
    full = {
        e.pk: e for e in Enterprise.objects.filter(pk__in=ids).annotate(full=_full_members()).order_by("name", "pk")
    }
    return [
        JointProposal(
            carrier_id=row["carrier_id"],
            carrier_name=row["carrier__name"],
            region_name=row["carrier__region__name"],
            few_full=row["few_full"],
            with_members=[full[pk] for pk in row["few"] if pk in full],
            without_members=[full[pk] for pk in row["empty"] if pk in full],
        )
        for row in rows
    ]


# --- 派驻建议 -------------------------------------------------------------------------------------


def street_of(region: Region | None) -> Region | None:
    """The 街道乡镇 a region lies in (itself, or a community's parent); None above that level."""
    if region is None:
        return None
    if region.level == RegionLevel.STREET:
        return region
    if region.level == RegionLevel.COMMUNITY:
        return region.parent
    return None


def dispatch_candidates(user: User, as_of: dt.date) -> QuerySet:
    """无党员且未工作覆盖: in-scope enterprises without members, no active instructor, no joint
    organization (the ledger's work_uncovered), of the user's region."""
    return (
        Enterprise.objects.visible_to(user)
        .alias(**base_filters(as_of))
        .filter(FIGURE_BY_NAME["work_uncovered"].rule)
        .select_related("region__parent", "carrier")
        .order_by("region__path", "name", "pk")
    )


@dataclass
class DispatchProposal:
    enterprise: Enterprise
    instructor: Instructor | None
    load: int = 0
    reason: str = ""

    @property
    def action(self) -> actions.Action:
        return actions.dispatch([self.enterprise.pk], self.instructor.pk if self.instructor else None)


def dispatch_proposals(user: User, enterprises: list[Enterprise], as_of: dt.date) -> list[DispatchProposal]:
    """Propose an instructor for each enterprise of a page: one of the same street, or one already
    serving an enterprise on the same carrier (park, building ...), the least loaded first; each
    proposal counts in the load of the next (balancing). Two queries whatever the page size."""
    instructors = list(
        Instructor.objects.visible_to(user)
        .select_related("region__parent")
        .annotate(load=Count("assignments", filter=assignment_active_q(as_of, prefix="assignments__"), distinct=True))
        .order_by("name", "pk")
    )
    by_id = {i.pk: i for i in instructors}
    by_street: dict[int, list[Instructor]] = defaultdict(list)
    for instructor in instructors:
        street = street_of(instructor.region)
        if street is not None:
            by_street[street.pk].append(instructor)
    carriers = {e.carrier_id for e in enterprises if e.carrier_id}
    by_carrier: dict[int, set[int]] = defaultdict(set)
    links = (
        Assignment.objects.filter(assignment_active_q(as_of), enterprise__carrier__in=carriers)
        .values_list("enterprise__carrier_id", "instructor_id")
        .distinct()
    )
    for carrier_id, instructor_id in links:
        if instructor_id in by_id:
            by_carrier[carrier_id].add(instructor_id)
    load = {i.pk: i.load for i in instructors}
    proposals = []
    for enterprise in enterprises:
        street = street_of(enterprise.region)
        pool: dict[int, str] = {}
        if enterprise.carrier_id:
            for pk in by_carrier.get(enterprise.carrier_id, ()):
                pool[pk] = f"已联系同一载体（{enterprise.carrier}）"
        if street is not None:
            for instructor in by_street.get(street.pk, ()):
                pool.setdefault(instructor.pk, f"同一街道（{street.name}）")
        if not pool:
            proposals.append(DispatchProposal(enterprise, None, reason="同一街道、载体暂无指导员"))
            continue
        chosen = min(pool, key=lambda pk: (load[pk], by_id[pk].name, pk))
        proposals.append(DispatchProposal(enterprise, by_id[chosen], load[chosen], pool[chosen]))
        load[chosen] += 1
    return proposals


# --- 落实到街道 -----------------------------------------------------------------------------------


def unplaced_enterprises(user: User) -> QuerySet:
    """Enterprises registered only at district level (an imported register gives only the
    district), each with `proposed_street` — the district's street or town whose name the address
    contains (the longest such name) — or None when the address names none."""
    streets = (
        Region.objects.filter(parent=OuterRef("region"), level=RegionLevel.STREET)
        .annotate(at=StrIndex(OuterRef("address"), "name"))
        .filter(at__gt=0)
        .order_by(Length("name").desc(), "at", "pk")
    )
    return (
        Enterprise.objects.visible_to(user)
        .in_scope()
        .filter(region__level=RegionLevel.DISTRICT)
        .annotate(proposed_street=Subquery(streets.values("pk")[:1]))
        .select_related("region")
        .order_by("region__path", "name", "pk")
    )


# --- 本轮排查 worklist -----------------------------------------------------------------------------


def _visited() -> Exists:
    return Exists(SurveyVisit.objects.filter(enterprise=OuterRef("pk"), campaign__is_current=True))


def survey_progress(user: User) -> list[dict[str, Any]]:
    """Each street's progress in the current campaign: visited / in scope (enterprises registered
    at district level count under "未落实到街道"). One grouped query, rolled up to streets."""
    rows = (
        Enterprise.objects.visible_to(user)
        .in_scope()
        .annotate(visited=_visited())
        .values("region_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(visited=True)))
        .order_by()
    )
    counts = list(rows)
    regions = Region.objects.select_related("parent").in_bulk([row["region_id"] for row in counts])
    lines: dict[int | None, dict[str, Any]] = {}
    for row in counts:
        street = street_of(regions[row["region_id"]])
        key = street.pk if street else None
        line = lines.setdefault(
            key, {"street": street, "name": street.name if street else "未落实到街道", "total": 0, "done": 0}
        )
        line["total"] += row["total"]
        line["done"] += row["done"]
    result = sorted(
        lines.values(), key=lambda line: (line["street"] is None, line["street"].path if line["street"] else "")
    )
    for line in result:
        line["rate"] = round(100 * line["done"] / line["total"], 1) if line["total"] else None
    return result


def survey_worklist(user: User, street: Region | None = None) -> QuerySet:
    """The current campaign's in-scope enterprises not yet visited, by street (or of one street)."""
    enterprises = Enterprise.objects.visible_to(user).in_scope()
    if street is not None:
        enterprises = enterprises.filter(region__in=street.subtree().values("id"))
    return (
        enterprises.filter(~_visited())
        .select_related("region__parent", "carrier")
        .order_by("region__path", "name", "pk")
    )
