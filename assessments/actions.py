"""The action that closes each gap (issue 10 "The workflows"): every gap an enterprise shows — on its
page and on every gap-list row — leads, one click away, to the form that fixes it, prefilled.

Computed from the per-enterprise figures the ledger rules put on a row (`annotate_ledger`, or a
snapshot's facts): no query of its own. A link is rendered only when its URL name exists
(NoReverseMatch → omitted), so a page never breaks on a form not routed yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from organizations.choices import Formation

SURVEY_VISIT = ("记录走访", "organizations:survey-visit")
MEMBER_CREATE = ("登记党员", "organizations:member-create")
ORGANIZATION_CREATE = ("组建党组织", "organizations:create")
DISPATCH = ("派驻指导员", "instructors:dispatch")


@dataclass(frozen=True)
class Action:
    label: str
    url_name: str
    query: tuple[tuple[str, Any], ...]

    @property
    def url(self) -> str | None:
        """The form's URL with the prefill, or None when the form is not routed."""
        try:
            base = reverse(self.url_name)
        except NoReverseMatch:
            return None
        return f"{base}?{urlencode(self.query, doseq=True)}" if self.query else base


@dataclass(frozen=True)
class Gap:
    """One gap of an enterprise: the ledger figure it is, what it says, and what closes it."""

    figure: str
    label: str
    actions: tuple[Action, ...]

    @property
    def title(self) -> str:
        """The gap's short name (the text before the colon)."""
        return self.label.split("：", 1)[0]

    @property
    def detail(self) -> str:
        """What closes it (the text after the colon, if any)."""
        return self.label.split("：", 1)[1] if "：" in self.label else ""


def survey_visit(enterprise_id: int) -> Action:
    return Action(*SURVEY_VISIT, (("enterprise", enterprise_id),))


def member_create(enterprise_id: int) -> Action:
    return Action(*MEMBER_CREATE, (("enterprise", enterprise_id),))


def standalone_create(enterprise_id: int) -> Action:
    return Action(*ORGANIZATION_CREATE, (("formation", Formation.STANDALONE.value), ("enterprise", enterprise_id)))


def joint_create(carrier_id: int | None, enterprise_ids: list[int]) -> Action:
    query: list[tuple[str, Any]] = [("formation", Formation.JOINT.value)]
    if carrier_id:
        query.append(("carrier", carrier_id))
    query += [("enterprise", pk) for pk in enterprise_ids]
    return Action(*ORGANIZATION_CREATE, tuple(query))


def dispatch(enterprise_ids: list[int], instructor_id: int | None = None) -> Action:
    query: list[tuple[str, Any]] = [("enterprise", pk) for pk in enterprise_ids]
    if instructor_id:
        query.append(("instructor", instructor_id))
    return Action(*DISPATCH, tuple(query))


def _flag(enterprise: Any, name: str) -> bool:
    return bool(getattr(enterprise, name, False))


def enterprise_gaps(enterprise: Any) -> list[Gap]:
    """Every gap of an enterprise annotated with the ledger figures, each with its actions.

    无党组织 (有党员未覆盖): 3+ full members → 组建党组织 (单独); fewer → 组建党组织 (联合, on its
    carrier) or 登记党员 (find the members it lacks). 无党员未覆盖 → 派驻指导员 (or 登记党员 when the
    visit finds members). Not surveyed and each unmet clear → 记录走访 (the visit confirms the
    member count and corrects the basic data and the members in place)."""
    if not _flag(enterprise, "is_in_scope") and not _flag(enterprise, "enterprises"):
        return []
    pk = enterprise.pk
    gaps: list[Gap] = []
    if _flag(enterprise, "standalone_due"):
        gaps.append(Gap("standalone_due", "应建未建：正式党员 3 名以上，尚无单独党组织", (standalone_create(pk),)))
    elif _flag(enterprise, "members_no_org"):
        gaps.append(
            Gap(
                "members_no_org",
                "有党员未建组织：可与同一载体的企业联合组建，或登记更多党员后单独组建",
                (joint_create(getattr(enterprise, "carrier_id", None), [pk]), member_create(pk)),
            )
        )
    if _flag(enterprise, "no_members_no_instructor") and not _flag(enterprise, "work_covered"):
        gaps.append(Gap("no_members_no_instructor", "无党员且未工作覆盖：派驻党建工作指导员", (dispatch([pk]),)))
    elif _flag(enterprise, "no_members_no_instructor"):
        gaps.append(Gap("no_members_no_instructor", "无党员且无指导员（已由联合党组织覆盖）", (dispatch([pk]),)))
    if _flag(enterprise, "fifty_no_members"):
        gaps.append(Gap("fifty_no_members", "从业人员 50 人以上无党员：走访查找隐性党员", (member_create(pk),)))
    if not _flag(enterprise, "surveyed"):
        gaps.append(Gap("not_surveyed", "本轮排查未走访", (survey_visit(pk),)))
    clears = (
        ("clear_overall", "总体情况不清楚：基础信息不全或信用代码校验未通过"),
        ("clear_structure", "党员结构不清楚：有党员缺性别、出生日期、学历或入党日期"),
        ("clear_distribution", "党员分布不清楚：有党员未落实组织关系"),
    )
    for figure, label in clears:
        if not _flag(enterprise, figure):
            gaps.append(Gap(figure, label, (survey_visit(pk),)))
    return gaps


# The gaps a gap list's row may show for the list's figure: an enterprise with members and no
# organization that is also 应建未建 shows (and closes) it as 应建未建 (standalone).
GAP_FIGURES = {"members_no_org": ("members_no_org", "standalone_due")}


def gap_list_actions(enterprise: Any, gap: str | None) -> list[Action]:
    """The actions of a row of the list of `gap`: the ones that close THAT gap (every gap of the
    row on a figure list)."""
    gaps = enterprise_gaps(enterprise)
    if gap:
        figures = GAP_FIGURES.get(gap, (gap,))
        gaps = [g for g in gaps if g.figure in figures]
    seen: dict[str, Action] = {}
    for item in gaps:
        for action in item.actions:
            seen.setdefault(action.label, action)
    return list(seen.values())
