"""Build the demo city: deterministic, realistic, with gaps, and fast enough for a million enterprises.

Everything is generated from one `random.Random(seed)` in a fixed order, so the same seed gives the
same city. Rows are written with COPY (explicit ids, sequences moved afterwards), never one INSERT
per row: 1,000,000 enterprises take minutes, not hours. Dates are anchored at DEMO_TODAY, not at the
day of the run, so the city does not change with the calendar.

The seed is not a user's change: it runs with `session_replication_role = replica`, which also
skips the audit triggers (and FK triggers; the generator only writes consistent ids).

One module per subject, run in the order of `_build` (the random stream depends on it):
regions_users, enterprises_carriers, members_organizations, instructors, campaigns_records,
evaluations; what they share lives in `state`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from demo.seeding import (
    campaigns_records,
    enterprises_carriers,
    evaluations,
    instructors,
    members_organizations,
    regions_users,
)
from demo.seeding.state import DEFAULT_SEED, DEMO_PASSWORD, DEMO_TODAY, SeedResult, SeedState
from enterprises.models import Enterprise
from portal.models import Region

__all__ = [
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_TODAY",
    "DatabaseNotEmpty",
    "SeedResult",
    "database_is_empty",
    "seed_demo_city",
]


class DatabaseNotEmpty(Exception):
    """seed_demo only ever writes into an empty database."""


def database_is_empty() -> bool:
    return not (Region.objects.exists() or Enterprise.objects.exists() or get_user_model().objects.exists())


def seed_demo_city(
    *, enterprises: int = 20_000, seed: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None
) -> SeedResult:
    """Create the demo city in an empty database, in one transaction."""
    if enterprises < 100:
        raise ValueError("演示城市至少需要 100 家企业")
    say = progress or (lambda message: None)
    with transaction.atomic():
        # Lock out a concurrent seed, then check emptiness inside the same transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(20261121)")
        if not database_is_empty():
            raise DatabaseNotEmpty("数据库中已有数据，seed_demo 只写入空数据库，未做任何修改")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            # Empty tables may still have used sequences (a rolled-back attempt): start ids at 1
            # so that the same seed gives the same ids too.
            for table in ("portal_region", "portal_user", "enterprises_carrier", "enterprises_surveycampaign"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1, false)")
        state = SeedState(random.Random(seed), say)
        result = _build(state, enterprises)
    with connection.cursor() as cursor:
        for table in state.tables:
            cursor.execute(f"ANALYZE {table}")
    return result


def _build(state: SeedState, n_enterprises: int) -> SeedResult:
    regions_users.build_regions(state)
    enterprises_carriers.build_carriers(state)
    state.say(f"企业 {n_enterprises:,} 家…")
    enterprises_carriers.build_enterprises(state, n_enterprises)
    state.say("党员…")
    members_organizations.build_members(state)
    state.say("党组织…")
    members_organizations.build_organizations(state)
    state.say("指导员与派驻…")
    instructors.build_instructors(state)
    state.say("排查走访、组织生活、考评…")
    campaigns_records.build_survey(state)
    campaigns_records.build_org_life(state)
    evaluations.build_evaluations(state)
    result = SeedResult(counts=dict(state.counts))
    regions_users.build_users(state, result)
    return result
