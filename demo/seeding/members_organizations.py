"""Party members at their workplaces, and the organizations that cover them (standalone and joint)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from demo.seeding.state import DEMO_TODAY, STAMP, SeedState, cumulative, pick
from enterprises.models import Carrier
from portal.copy import copy_rows
from portal.fields import digest, encrypt

EDUCATIONS = [("POSTGRADUATE", 6), ("BACHELOR", 38), ("COLLEGE", 30), ("SECONDARY", 18), ("JUNIOR", 8)]
ORG_SUFFIX = {"COMMITTEE": "委员会", "GENERAL_BRANCH": "总支部委员会", "BRANCH": "支部委员会"}


def member_plan(state: SeedState, index: int) -> int:
    """How many members work at enterprise `index`: ~10% of enterprises have any."""
    rng = state.rng
    employees = state.e_employees[index]
    if state.e_individual[index]:
        return 1 + int(rng.random() < 0.25) if rng.random() < 0.045 else 0
    chance = 0.12 if employees < 10 else 0.32 if employees < 50 else 0.55 if employees < 100 else 0.8
    if rng.random() >= chance:
        return 0
    if employees < 10:
        return 1 + int(rng.random() < 0.45) + int(rng.random() < 0.2)
    if employees < 50:
        return max(1, min(employees // 3, 1 + int(rng.expovariate(1 / 2.2))))
    if employees < 100:
        return max(2, min(employees // 4, 3 + int(employees * rng.uniform(0.02, 0.08))))
    # Large enterprises: enough members for general branches and committees to exist.
    return max(3, min(employees // 3, int(employees * rng.uniform(0.05, 0.3))))


def build_members(state: SeedState) -> None:
    rng = state.rng
    state.members_of = {}  # enterprise index -> [(member id, full)]
    state.m_mobile = set()
    edu_cum = cumulative(e[1] for e in EDUCATIONS)
    lr_member: list[int] = []
    mid = 0
    rows = []
    for index in range(len(state.e_employees)):
        planned = member_plan(state, index)
        if not planned:
            continue
        if rng.random() < 0.2:
            lr_member.append(index + 1)
        district_code = state.districts[state.e_district[index]].code
        staff = []
        for _ in range(planned):
            mid += 1
            gender = "M" if rng.random() < 0.62 else "F"
            birth = dt.date(1958 + rng.randrange(44), 1 + rng.randrange(12), 1 + rng.randrange(28))
            joined = birth + dt.timedelta(days=365 * rng.randint(19, 40) + rng.randrange(365))
            joined = min(joined, DEMO_TODAY - dt.timedelta(days=30 + rng.randrange(300)))
            full = rng.random() >= 0.08
            mobile = rng.random() < 0.03
            hidden = rng.random() < 0.02
            if mobile:
                state.m_mobile.add(mid)
            staff.append((mid, full))
            id_number = state.id_number(district_code, birth, gender)
            rows.append(
                (
                    mid,
                    state.person_name(),
                    gender if rng.random() > 0.01 else "",
                    None if rng.random() < 0.02 else birth,
                    "" if rng.random() < 0.04 else pick(rng, EDUCATIONS, edu_cum)[0],
                    encrypt(id_number),
                    digest(id_number),
                    *state.encrypted_phone(0.9),
                    "FULL" if full else "PROBATIONARY",
                    None if rng.random() < 0.01 else joined,
                    index + 1,
                    None,  # organization: set once organizations exist
                    hidden,
                    rng.choice(("ORG_FOUND", "SELF_REPORTED", "PEER_FOUND")) if hidden else "",
                    mobile,
                    state.e_region[index],
                    STAMP,
                    STAMP,
                )
            )
        state.members_of[index] = staff
    state.copy(
        "organizations_partymember",
        [
            "id",
            "name",
            "gender",
            "birth_date",
            "education",
            "id_number",
            "id_number_digest",
            "phone",
            "phone_digest",
            "status",
            "joined_on",
            "workplace_id",
            "organization_id",
            "is_hidden",
            "discovered_via",
            "is_mobile",
            "region_id",
            "created_at",
            "updated_at",
        ],
        rows,
        not_null=("gender", "education", "phone", "phone_digest", "discovered_via"),
    )
    if lr_member:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE enterprises_enterprise SET legal_representative_is_member = true WHERE id = ANY(%s)",
                [lr_member],
            )


def build_organizations(state: SeedState) -> None:
    rng = state.rng
    orgs, covers, member_org = [], [], {}
    oid = 0
    covered_by_org: set[int] = set()

    def established() -> dt.date:
        return dt.date(2008 + rng.randrange(17), 1 + rng.randrange(12), 1 + rng.randrange(28))

    # Standalone organizations: most enterprises with 3+ full members (the rest are 应建未建).
    for index, staff in state.members_of.items():
        full = sum(1 for _m, is_full in staff if is_full)
        if full < 3 or not state.e_in_scope[index] or rng.random() >= 0.85:
            continue
        oid += 1
        size = len(staff)
        level = "COMMITTEE" if size >= 60 else "GENERAL_BRANCH" if size >= 25 else "BRANCH"
        if level != "BRANCH" and rng.random() < 0.1:
            level = "BRANCH"  # a realistic level mismatch to warn about
        start = established()
        dissolved = start + dt.timedelta(days=400 + rng.randrange(2000)) if rng.random() < 0.03 else None
        if dissolved and dissolved >= DEMO_TODAY:
            dissolved = None
        secretary = staff[0][0]
        orgs.append(
            (
                oid,
                f"中共{state.e_name[index].replace('（个体工商户）', '')}{ORG_SUFFIX[level]}",
                level,
                "STANDALONE",
                state.e_region[index],
                None,
                None,
                secretary,
                rng.random() < 0.05,
                start,
                dissolved,
                STAMP,
                STAMP,
            )
        )
        covers.append((oid, index + 1))
        covered_by_org.add(index)
        for member_id, _full in staff:
            member_org[member_id] = oid

    # Joint organizations: on parks/buildings, and on each street's service station, covering
    # enterprises with one or two members and some without members (work coverage).
    groups: dict[tuple[str, int], list[int]] = {}
    for index in range(len(state.e_employees)):
        if index in covered_by_org or not state.e_in_scope[index]:
            continue
        has_members = index in state.members_of
        joins = rng.random() < 0.7 if has_members else (not state.e_individual[index] and rng.random() < 0.06)
        if not joins:
            continue
        carrier = state.e_carrier[index]
        key = ("carrier", carrier) if carrier else ("street", state.e_region[index])
        groups.setdefault(key, []).append(index)
    carrier_region = {c.pk: c.region_id for c in Carrier.objects.all()}
    for (kind, key), members in sorted(groups.items()):
        carrier_id = key if kind == "carrier" else state.street_carrier[key].pk
        for start_at in range(0, len(members), 12):
            chunk = members[start_at : start_at + 12]
            oid += 1
            staff = [m for i in chunk for m, _f in state.members_of.get(i, [])]
            carrier_name = state.carrier_names[carrier_id]
            orgs.append(
                (
                    oid,
                    f"中共{carrier_name}联合支部委员会" + (f"（{start_at // 12 + 1}）" if start_at else ""),
                    "BRANCH",
                    "JOINT",
                    carrier_region[carrier_id],
                    carrier_id,
                    None,
                    staff[0] if staff else None,
                    rng.random() < 0.15,
                    established(),
                    None,
                    STAMP,
                    STAMP,
                )
            )
            for index in chunk:
                covers.append((oid, index + 1))
                for member_id, _full in state.members_of.get(index, []):
                    member_org[member_id] = oid
    state.org_count = oid
    state.copy(
        "organizations_partyorganization",
        [
            "id",
            "name",
            "level",
            "formation",
            "region_id",
            "carrier_id",
            "parent_id",
            "secretary_id",
            "is_online",
            "established_on",
            "dissolved_on",
            "created_at",
            "updated_at",
        ],
        orgs,
    )
    state.copy(
        "organizations_partyorganization_covered_enterprises",
        ["id", "partyorganization_id", "enterprise_id"],
        ((i, o, e) for i, (o, e) in enumerate(covers, start=1)),
    )
    # Organization relationships: most members belong to the organization covering their
    # workplace; a few (mobile members, members not yet transferred) have none.
    pairs = [(m, o) for m, o in member_org.items() if not (m in state.m_mobile and rng.random() < 0.7)]
    pairs = [(m, o) for m, o in pairs if rng.random() >= 0.03]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE seed_member_org (member_id bigint, org_id bigint) ON COMMIT DROP")
        copy_rows(cursor.cursor, "seed_member_org", ["member_id", "org_id"], pairs)
        cursor.execute(
            "UPDATE organizations_partymember m SET organization_id = s.org_id"
            " FROM seed_member_org s WHERE m.id = s.member_id"
        )
        cursor.execute("DROP TABLE seed_member_org")
