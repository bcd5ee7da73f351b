"""Evaluations: 双强六好, secretaries' performance reviews, demonstration sites, chamber ratings."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from demo.seeding.state import DEMO_TODAY, SeedState


def build_evaluations(state: SeedState) -> None:
    rng = state.rng
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.id, c.enterprise_id, o.region_id FROM organizations_partyorganization o"
            " JOIN organizations_partyorganization_covered_enterprises c ON c.partyorganization_id = o.id"
            " WHERE o.formation = 'STANDALONE' AND o.dissolved_on IS NULL ORDER BY o.id LIMIT 200"
        )
        standalone = cursor.fetchall()
    year = DEMO_TODAY.year
    state.copy(
        "assessments_dualstrongsixgood",
        [
            "id",
            "enterprise_id",
            "year",
            "strong_development",
            "strong_party_building",
            "good_production",
            "good_culture",
            "good_labour_relations",
            "good_leading_team",
            "good_member_team",
            "good_social_reputation",
            "evaluated_on",
        ],
        (
            (i, enterprise, year - 1, *(rng.random() < 0.85 for _ in range(8)), dt.date(year - 1, 12, 20))
            for i, (_o, enterprise, _r) in enumerate(standalone[:120], start=1)
        ),
    )
    state.copy(
        "assessments_performancereview",
        [
            "id",
            "year",
            "subject",
            "organization_id",
            "instructor_id",
            "region_id",
            "score",
            "rating",
            "reviewed_on",
        ],
        (
            (i, year - 1, "SECRETARY", org, None, region, score, _rating(score), dt.date(year, 1, 15))
            for i, (org, _e, region) in enumerate(standalone[:100], start=1)
            for score in [round(rng.uniform(55, 98), 1)]
        ),
    )
    state.copy(
        "assessments_demonstrationsite",
        ["id", "name", "level", "year", "region_id", "organization_id", "enterprise_id", "named_on"],
        (
            (i, f"党建示范点（{year}）第{i}号", "CITY", year, state.city.pk, org, enterprise, dt.date(year, 6, 28))
            for i, (org, enterprise, _r) in enumerate(standalone[:20], start=1)
        ),
    )
    state.copy(
        "assessments_federationrating",
        ["id", "kind", "carrier_id", "region_id", "year", "score", "veto_party_building", "rated_on"],
        (
            (
                i,
                "FOUR_GOOD_CHAMBER",
                chamber.pk,
                chamber.region_id,
                year - 1,
                round(rng.uniform(60, 95), 1),
                i == 2,
                dt.date(year - 1, 12, 1),
            )
            for i, chamber in enumerate(state.chambers, start=1)
        ),
    )


def _rating(score: float) -> str:
    return "EXCELLENT" if score >= 90 else "GOOD" if score >= 80 else "FAIR" if score >= 60 else "POOR"
