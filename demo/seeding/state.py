"""What every stage of the seed shares: the one random stream, the facts about the city so far,
and the plumbing (COPY, names, ID numbers, phones)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from demo import geography as geo
from enterprises.models import Carrier
from portal.copy import copy_rows
from portal.fields import digest, encrypt
from portal.models import Region
from portal.validators import id_number_check_char

DEMO_TODAY = dt.date(2026, 11, 1)
DEMO_PASSWORD = "Dangjian@2026"
DEFAULT_SEED = 20261121
STAMP = "2026-11-01 08:00:00+08"


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role label, jurisdiction)
    api_token: str = ""


def pick(rng: random.Random, weighted: Sequence[tuple], cum: list[float] | None = None) -> Any:
    if cum is None:
        cum = cumulative(w[1] for w in weighted)
    return rng.choices(weighted, cum_weights=cum)[0]


def cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


class SeedState:
    """The city under construction. Stages run in a fixed order (demo.seeding.build) and leave
    here the compact facts later stages need; enterprise facts are lists indexed by id - 1."""

    # regions_users.build_regions
    city: Region
    districts: list[Region]
    streets: dict[int, list[Region]]  # district id -> its streets
    # enterprises_carriers
    parks: dict[int, list[Carrier]]  # district id -> parks and buildings
    street_carrier: dict[int, Carrier]  # street id -> its service station
    chambers: list[Carrier]
    e_region: list[int]
    e_district: list[int]  # index into districts
    e_carrier: list[int | None]
    e_employees: list[int]
    e_individual: list[bool]
    e_in_scope: list[bool]
    e_name: list[str]
    # members_organizations
    members_of: dict[int, list[tuple[int, bool]]]  # enterprise index -> [(member id, full)]
    m_mobile: set[int]
    org_count: int
    # instructors
    instructor_count: int

    def __init__(self, rng: random.Random, say: Callable[[str], None]):
        self.rng = rng
        self.say = say
        self.tables: list[str] = []
        self.counts: dict[str, int] = {}
        self.id_sequences: dict[tuple[str, dt.date, str], int] = {}
        self._carrier_names: dict[int, str] | None = None

    def copy(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence], *, not_null: Sequence[str] = ()
    ) -> int:
        """COPY rows with explicit ids into `table` and move its id sequence past them. In
        `not_null` columns "" is an empty string; elsewhere "" and None are NULL (portal.copy)."""
        with connection.cursor() as cursor:
            count = copy_rows(cursor.cursor, table, columns, rows, not_null=not_null)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"  # noqa: S608
            )
        self.tables.append(table)
        self.counts[table] = self.counts.get(table, 0) + count
        return count

    @property
    def carrier_names(self) -> dict[int, str]:
        if self._carrier_names is None:
            self._carrier_names = dict(Carrier.objects.values_list("id", "name"))
        return self._carrier_names

    def person_name(self) -> str:
        rng = self.rng
        return rng.choice(geo.SURNAMES) + "".join(rng.choices(geo.GIVEN, k=rng.choice((1, 2, 2))))

    def id_number(self, district_code: str, birth: dt.date, gender: str) -> str:
        """A valid GB 11643 number, unique: the 3-digit sequence counts people of one area, birth
        date and sex (odd for men), moving to the next day when a day's 500 numbers are used up."""
        while True:
            key = (district_code, birth, gender)
            used = self.id_sequences.get(key, 0)
            if used < 500:
                self.id_sequences[key] = used + 1
                break
            birth += dt.timedelta(days=1)
        sequence = used * 2 + (1 if gender == "M" else 0)
        body = f"{district_code}{birth:%Y%m%d}{sequence:03d}"
        return body + id_number_check_char(body)

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def encrypted_phone(self, share: float) -> tuple[str, str]:
        """(ciphertext, lookup digest) of a new phone number, or blanks for the rest of `share`."""
        if share < 1.0 and self.rng.random() >= share:
            return "", ""
        phone = self.phone()
        return encrypt(phone), digest(phone)
