"""The survey campaign (拉网式排查) with its visits, and the organizations' life records."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from demo.seeding.state import DEMO_TODAY, STAMP, SeedState

LIFE_KINDS = ["MEMBER_MEETING", "COMMITTEE_MEETING", "GROUP_MEETING", "PARTY_LESSON", "THEME_DAY"]


def build_survey(state: SeedState) -> None:
    rng = state.rng
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO enterprises_surveycampaign (name, region_id, starts_on, deadline, is_current, created_at)"
            " VALUES (%s, %s, %s, %s, true, %s) RETURNING id",
            [
                "2026年非公有制企业党建工作拉网式排查",
                state.city.pk,
                dt.date(2026, 9, 1),
                dt.date(2026, 12, 31),
                STAMP,
            ],
        )
        campaign_id = cursor.fetchone()[0]
    span = (DEMO_TODAY - dt.date(2026, 9, 1)).days

    def rows():
        vid = 0
        for index in range(len(state.e_employees)):
            if not state.e_in_scope[index] or rng.random() >= 0.55:
                continue
            vid += 1
            members = len(state.members_of.get(index, ()))
            yield (
                vid,
                campaign_id,
                index + 1,
                dt.date(2026, 9, 1) + dt.timedelta(days=rng.randrange(span)),
                None,
                members,
                state.e_employees[index],
                "",
                STAMP,
            )

    state.copy(
        "enterprises_surveyvisit",
        [
            "id",
            "campaign_id",
            "enterprise_id",
            "visited_on",
            "visitor_id",
            "member_count_confirmed",
            "employee_count_confirmed",
            "notes",
            "created_at",
        ],
        rows(),
        not_null=("notes",),
    )
    state.counts["enterprises_surveycampaign"] = 1


def build_org_life(state: SeedState) -> None:
    rng = state.rng
    topics = [
        "学习贯彻党的二十届四中全会精神",
        "主题党日：走进红色教育基地",
        "专题党课：党建引领企业发展",
        "组织生活会",
        "发展党员工作",
    ]
    sample = range(1, min(state.org_count, 3000) + 1)

    def life():
        rid = 0
        for oid in sample:
            for k in range(3):
                rid += 1
                yield (
                    rid,
                    oid,
                    LIFE_KINDS[(oid + k) % len(LIFE_KINDS)],
                    DEMO_TODAY - dt.timedelta(days=15 + 30 * k + rng.randrange(20)),
                    rng.choice(topics),
                    rng.randint(3, 30),
                    "",
                    STAMP,
                )

    state.copy(
        "organizations_orgliferecord",
        ["id", "organization_id", "kind", "held_on", "topic", "attendance", "notes", "created_at"],
        life(),
        not_null=("notes",),
    )
    state.copy(
        "organizations_excellencesystem",
        ["id", "organization_id", "name", "description", "adopted_on"],
        (
            (oid, oid, "党员先锋岗制度", "设立党员示范岗、责任区，亮身份、作表率", dt.date(2024, 3, 1))
            for oid in sample
            if oid % 5
        ),
    )
