"""Party-building instructors (党建指导员) and their assignments to enterprises without members."""

from __future__ import annotations

import datetime as dt

from demo.seeding.state import DEMO_TODAY, STAMP, SeedState, cumulative, pick

INSTRUCTOR_SOURCES = [
    ("COMMERCE_CADRE", 30),
    ("GOVERNMENT_CADRE", 30),
    ("SEMI_RETIRED_CADRE", 15),
    ("VETERAN", 10),
    ("RETIRED_CADRE", 10),
    ("OTHER", 5),
]


def build_instructors(state: SeedState) -> None:
    rng = state.rng
    source_cum = cumulative(s[1] for s in INSTRUCTOR_SOURCES)
    # Enterprises without members that are worth an instructor: companies with 10+ staff, or any 50+.
    candidates: dict[int, list[int]] = {}
    for index in range(len(state.e_employees)):
        if index in state.members_of or not state.e_in_scope[index] or state.e_individual[index]:
            continue
        employees = state.e_employees[index]
        if employees >= 50 or (employees >= 5 and rng.random() < 0.8):
            candidates.setdefault(state.e_district[index], []).append(index)
    instructors, assignments = [], []
    iid = aid = 0
    for d, indexes in sorted(candidates.items()):
        district = state.districts[d]
        chosen = [i for i in indexes if rng.random() < 0.6]
        for start_at in range(0, len(chosen), 5):
            iid += 1
            instructors.append(
                (
                    iid,
                    state.person_name(),
                    pick(rng, INSTRUCTOR_SOURCES, source_cum)[0],
                    f"{district.name}{rng.choice(['市场监管局', '商务局', '人社局', '工信局', '街道办事处'])}",
                    rng.random() < 0.6,
                    *state.encrypted_phone(1.0),
                    district.pk,
                    True,
                    STAMP,
                    STAMP,
                )
            )
            for index in chosen[start_at : start_at + 5]:
                aid += 1
                start = DEMO_TODAY - dt.timedelta(days=60 + rng.randrange(1500))
                expired = rng.random() < 0.1
                end = start + dt.timedelta(days=30 + rng.randrange(max(31, (DEMO_TODAY - start).days - 31)))
                assignments.append(
                    (
                        aid,
                        iid,
                        index + 1,
                        start,
                        min(end, DEMO_TODAY - dt.timedelta(days=1)) if expired else None,
                        STAMP,
                    )
                )
    state.instructor_count = iid
    state.copy(
        "instructors_instructor",
        [
            "id",
            "name",
            "source",
            "employer",
            "dual_duty",
            "phone",
            "phone_digest",
            "region_id",
            "is_member",
            "created_at",
            "updated_at",
        ],
        instructors,
        not_null=("phone", "phone_digest"),
    )
    state.copy(
        "instructors_assignment",
        ["id", "instructor_id", "enterprise_id", "start_on", "end_on", "created_at"],
        assignments,
    )
