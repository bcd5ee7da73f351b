"""Build the demo city: deterministic, realistic, with gaps, and fast enough for a million enterprises.

Everything is generated from one `random.Random(seed)` in a fixed order, so the same seed gives the
same city. Rows are written with COPY (explicit ids, sequences moved afterwards), never one INSERT
per row: 1,000,000 enterprises take minutes, not hours. Dates are anchored at DEMO_TODAY, not at the
day of the run, so the city does not change with the calendar.

The seed is not a user's change: it runs with `session_replication_role = replica`, which also
skips the audit triggers (and FK triggers; the generator only writes consistent ids).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from demo import geography as geo
from enterprises.choices import CarrierKind, EnterpriseKind, RegistrationStatus
from enterprises.models import Carrier, Enterprise
from portal.choices import RegionLevel, Role
from portal.fields import digest, encrypt
from portal.models import Region
from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_char

DEMO_TODAY = dt.date(2026, 11, 1)
DEMO_PASSWORD = "Dangjian@2026"
DEFAULT_SEED = 20261121
STAMP = "2026-11-01 08:00:00+08"

# (kind, weight, is individual, credit-code prefix)
KINDS = [
    (EnterpriseKind.INDIVIDUAL, 600, "92"),
    (EnterpriseKind.LIMITED_COMPANY, 300, "91"),
    (EnterpriseKind.SOLE_PROPRIETORSHIP, 30, "91"),
    (EnterpriseKind.PARTNERSHIP, 20, "91"),
    (EnterpriseKind.JOINT_STOCK, 20, "91"),
    (EnterpriseKind.FOREIGN_INVESTED, 15, "91"),
    (EnterpriseKind.COOPERATIVE, 15, "93"),
]
SUFFIX = {
    EnterpriseKind.LIMITED_COMPANY: "有限公司",
    EnterpriseKind.SOLE_PROPRIETORSHIP: "商行",
    EnterpriseKind.PARTNERSHIP: "合伙企业（有限合伙）",
    EnterpriseKind.JOINT_STOCK: "股份有限公司",
    EnterpriseKind.FOREIGN_INVESTED: "有限公司",
    EnterpriseKind.COOPERATIVE: "专业合作社",
}
STATUSES = [
    (RegistrationStatus.EXISTING, 70),
    (RegistrationStatus.OPERATING, 22),
    (RegistrationStatus.REVOKED, 3),
    (RegistrationStatus.CANCELLED, 4),
    (RegistrationStatus.MOVED_OUT, 1),
]
EDUCATIONS = [("POSTGRADUATE", 6), ("BACHELOR", 38), ("COLLEGE", 30), ("SECONDARY", 18), ("JUNIOR", 8)]
INSTRUCTOR_SOURCES = [
    ("COMMERCE_CADRE", 30),
    ("GOVERNMENT_CADRE", 30),
    ("SEMI_RETIRED_CADRE", 15),
    ("VETERAN", 10),
    ("RETIRED_CADRE", 10),
    ("OTHER", 5),
]
ORG_SUFFIX = {"COMMITTEE": "委员会", "GENERAL_BRANCH": "总支部委员会", "BRANCH": "支部委员会"}
LIFE_KINDS = ["MEMBER_MEETING", "COMMITTEE_MEETING", "GROUP_MEETING", "PARTY_LESSON", "THEME_DAY"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class DatabaseNotEmpty(Exception):
    """seed_demo only ever writes into an empty database."""


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role label, jurisdiction)
    api_token: str = ""


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
        builder = _CityBuilder(random.Random(seed), say)
        result = builder.build(enterprises)
    with connection.cursor() as cursor:
        for table in builder.tables:
            cursor.execute(f"ANALYZE {table}")
    return result


def _pick(rng: random.Random, weighted: Sequence[tuple], cum: list[float] | None = None):
    if cum is None:
        cum = _cum(w[1] for w in weighted)
    return rng.choices(weighted, cum_weights=cum)[0]


def _cum(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _base31(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 31)
        chars.append(CREDIT_CODE_CHARSET[rest])
    return "".join(reversed(chars))


def _org_check(body8: str) -> str:
    """GB 11714 check character of the organization code inside a credit code."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


class _CityBuilder:
    def __init__(self, rng: random.Random, say: Callable[[str], None]):
        self.rng = rng
        self.say = say
        self.tables: list[str] = []
        self.counts: dict[str, int] = {}
        self.id_sequences: dict[tuple[str, dt.date, str], int] = {}

    # --- plumbing ----------------------------------------------------------------------------
    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """COPY rows into `table` in chunks, so memory stays flat whatever the size."""
        count = 0
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg2 cursor underneath Django's wrapper
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_value(v) for v in row))
                buffer.write("\n")
                count += 1
                if count % 50_000 == 0:
                    buffer.seek(0)
                    raw.copy_expert(sql, buffer)
                    buffer = io.StringIO()
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"  # noqa: S608
            )
        self.tables.append(table)
        self.counts[table] = self.counts.get(table, 0) + count
        return count

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
        return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def encrypted_phone(self, share: float) -> tuple[str, str]:
        """(ciphertext, lookup digest) of a new phone number, or blanks for the rest of `share`."""
        if share < 1.0 and self.rng.random() >= share:
            return "", ""
        phone = self.phone()
        return encrypt(phone), digest(phone)

    # --- the city ----------------------------------------------------------------------------
    def build(self, n_enterprises: int) -> SeedResult:
        self.build_regions()
        self.build_carriers()
        self.say(f"企业 {n_enterprises:,} 家…")
        self.build_enterprises(n_enterprises)
        self.say("党员…")
        self.build_members()
        self.say("党组织…")
        self.build_organizations()
        self.say("指导员与派驻…")
        self.build_instructors()
        self.say("排查走访、组织生活、考评…")
        self.build_survey()
        self.build_org_life()
        self.build_evaluations()
        result = SeedResult(counts=dict(self.counts))
        self.build_users(result)
        return result

    def build_regions(self) -> None:
        city = Region.objects.create(code=geo.CITY[0], name=geo.CITY[1], level=RegionLevel.CITY)
        self.city = city
        self.districts: list[Region] = []
        self.streets: dict[int, list[Region]] = {}
        for code, name, _weight, streets, _parks in geo.DISTRICTS:
            district = Region.objects.create(code=code, name=name, level=RegionLevel.DISTRICT, parent=city)
            self.districts.append(district)
            self.streets[district.pk] = [
                Region.objects.create(code=f"{code}{i:03d}000", name=street, level=RegionLevel.STREET, parent=district)
                for i, street in enumerate(streets, start=1)
            ]
        self.counts["portal_region"] = Region.objects.count()
        self.tables.append("portal_region")

    def build_carriers(self) -> None:
        self.parks: dict[int, list[Carrier]] = {}
        self.street_carrier: dict[int, Carrier] = {}
        self.chambers: list[Carrier] = []
        carriers = []
        for district, (_code, name, _w, _streets, parks) in zip(self.districts, geo.DISTRICTS, strict=True):
            for park in parks:
                carriers.append(Carrier(name=park, kind=geo.carrier_kind(park), region=district))
            carriers.append(Carrier(name=f"{name}工商业联合会（总商会）", kind=CarrierKind.CHAMBER, region=district))
            carriers.append(Carrier(name=f"{name}物流行业协会", kind=CarrierKind.INDUSTRY_ASSOCIATION, region=district))
            for street in self.streets[district.pk]:
                carriers.append(
                    Carrier(name=f"{street.name}非公企业党建服务站", kind=CarrierKind.COMMUNITY, region=street)
                )
        Carrier.objects.bulk_create(carriers)
        for carrier in Carrier.objects.select_related("region").order_by("id"):
            if carrier.kind == CarrierKind.COMMUNITY:
                self.street_carrier[carrier.region_id] = carrier
            elif carrier.kind == CarrierKind.CHAMBER:
                self.chambers.append(carrier)
            elif carrier.kind != CarrierKind.INDUSTRY_ASSOCIATION:
                self.parks.setdefault(carrier.region_id, []).append(carrier)
        self.counts["enterprises_carrier"] = len(carriers)
        self.tables.append("enterprises_carrier")

    def build_enterprises(self, n: int) -> None:
        rng = self.rng
        district_cum = _cum(d[2] for d in geo.DISTRICTS)
        kind_cum = _cum(k[1] for k in KINDS)
        status_cum = _cum(s[1] for s in STATUSES)
        industry_cum_ind = _cum(i[1] for i in geo.INDUSTRIES)
        industry_cum_co = _cum(i[2] for i in geo.INDUSTRIES)
        # Compact per-enterprise facts later stages need (index = id - 1).
        self.e_region: list[int] = []
        self.e_district: list[int] = []
        self.e_carrier: list[int | None] = []
        self.e_employees: list[int] = []
        self.e_individual: list[bool] = []
        self.e_in_scope: list[bool] = []
        self.e_name: list[str] = []
        district_index = list(range(len(self.districts)))

        def rows():
            for eid in range(1, n + 1):
                d = rng.choices(district_index, cum_weights=district_cum)[0]
                district = self.districts[d]
                dname = geo.DISTRICTS[d][1]
                street = rng.choice(self.streets[district.pk])
                kind, _w, prefix = rng.choices(KINDS, cum_weights=kind_cum)[0]
                individual = kind == EnterpriseKind.INDIVIDUAL
                letter, _a, _b, words = rng.choices(
                    geo.INDUSTRIES, cum_weights=industry_cum_ind if individual else industry_cum_co
                )[0]
                year = max(1993, DEMO_TODAY.year - 2 - int(rng.expovariate(1 / (3.5 if individual else 7))))
                registered = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
                org_body = "MA" + _base31(eid, 6) if year >= 2016 else f"{eid:08d}"
                body17 = prefix + district.code + org_body + _org_check(org_body)
                code = body17 + credit_code_check_char(body17)
                zihao = rng.choice(geo.ZIHAO) + rng.choice(geo.ZIHAO)
                word = rng.choice(words)
                boss = self.person_name()
                carrier = None
                parks = self.parks.get(district.pk, [])
                if individual:
                    name = f"{dname}{zihao}{word}（个体工商户）"
                    employees = min(1 + int(rng.expovariate(1 / 1.5)), 30)
                    if parks and rng.random() < 0.05:
                        carrier = rng.choice(parks).pk
                else:
                    name = f"泰安{zihao}{word}{SUFFIX[kind]}"
                    employees = min(1 + int(rng.lognormvariate(1.4, 1.4)), 20000)
                    if parks and rng.random() < 0.45:
                        carrier = rng.choice(parks).pk
                status = rng.choices(STATUSES, cum_weights=status_cum)[0][0]
                above_scale = not individual and (employees >= 300 or (employees >= 50 and rng.random() < 0.3))
                report_year = None if rng.random() < 0.12 else DEMO_TODAY.year - 1 - int(rng.random() < 0.15)
                address = f"山东省泰安市{dname}{street.name}{rng.choice(geo.ROADS)}{rng.randint(1, 999)}号"
                self.e_region.append(street.pk)
                self.e_district.append(d)
                self.e_carrier.append(carrier)
                self.e_employees.append(employees)
                self.e_individual.append(individual)
                self.e_in_scope.append(status in (RegistrationStatus.EXISTING, RegistrationStatus.OPERATING))
                self.e_name.append(name)
                yield (
                    eid,
                    code,
                    False,
                    name,
                    kind,
                    letter,
                    "",
                    street.pk,
                    carrier,
                    address,
                    boss,
                    False,
                    "" if individual else boss,
                    employees,
                    above_scale,
                    status,
                    registered,
                    report_year,
                    None,
                    STAMP,
                    STAMP,
                )

        self.copy(
            "enterprises_enterprise",
            [
                "id",
                "credit_code",
                "credit_code_check_confirmed",
                "name",
                "kind",
                "industry",
                "industry_division",
                "region_id",
                "carrier_id",
                "address",
                "legal_representative",
                "legal_representative_is_member",
                "investor",
                "employee_count",
                "above_scale",
                "registration_status",
                "registered_on",
                "annual_report_year",
                "last_import_id",
                "created_at",
                "updated_at",
            ],
            rows(),
        )

    def member_plan(self, index: int) -> int:
        """How many members work at enterprise `index`: ~10% of enterprises have any."""
        rng = self.rng
        employees = self.e_employees[index]
        if self.e_individual[index]:
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

    def build_members(self) -> None:
        rng = self.rng
        self.members_of: dict[int, list[tuple[int, bool]]] = {}  # enterprise index -> [(member id, full)]
        self.m_mobile: set[int] = set()
        edu_cum = _cum(e[1] for e in EDUCATIONS)
        lr_member: list[int] = []
        mid = 0
        rows = []
        for index in range(len(self.e_employees)):
            planned = self.member_plan(index)
            if not planned:
                continue
            if rng.random() < 0.2:
                lr_member.append(index + 1)
            district_code = self.districts[self.e_district[index]].code
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
                    self.m_mobile.add(mid)
                staff.append((mid, full))
                id_number = self.id_number(district_code, birth, gender)
                rows.append(
                    (
                        mid,
                        self.person_name(),
                        gender if rng.random() > 0.01 else "",
                        None if rng.random() < 0.02 else birth,
                        "" if rng.random() < 0.04 else _pick(rng, EDUCATIONS, edu_cum)[0],
                        encrypt(id_number),
                        digest(id_number),
                        *self.encrypted_phone(0.9),
                        "FULL" if full else "PROBATIONARY",
                        None if rng.random() < 0.01 else joined,
                        index + 1,
                        None,  # organization: set once organizations exist
                        hidden,
                        rng.choice(("ORG_FOUND", "SELF_REPORTED", "PEER_FOUND")) if hidden else "",
                        mobile,
                        self.e_region[index],
                        STAMP,
                        STAMP,
                    )
                )
            self.members_of[index] = staff
        self.copy(
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
        )
        if lr_member:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE enterprises_enterprise SET legal_representative_is_member = true WHERE id = ANY(%s)",
                    [lr_member],
                )

    def build_organizations(self) -> None:
        rng = self.rng
        orgs, covers, member_org = [], [], {}
        oid = 0
        covered_by_org: set[int] = set()

        def established() -> dt.date:
            return dt.date(2008 + rng.randrange(17), 1 + rng.randrange(12), 1 + rng.randrange(28))

        # Standalone organizations: most enterprises with 3+ full members (the rest are 应建未建).
        for index, staff in self.members_of.items():
            full = sum(1 for _m, is_full in staff if is_full)
            if full < 3 or not self.e_in_scope[index] or rng.random() >= 0.85:
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
                    f"中共{self.e_name[index].replace('（个体工商户）', '')}{ORG_SUFFIX[level]}",
                    level,
                    "STANDALONE",
                    self.e_region[index],
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
        for index in range(len(self.e_employees)):
            if index in covered_by_org or not self.e_in_scope[index]:
                continue
            has_members = index in self.members_of
            joins = rng.random() < 0.7 if has_members else (not self.e_individual[index] and rng.random() < 0.06)
            if not joins:
                continue
            carrier = self.e_carrier[index]
            key = ("carrier", carrier) if carrier else ("street", self.e_region[index])
            groups.setdefault(key, []).append(index)
        carrier_region = {c.pk: c.region_id for c in Carrier.objects.all()}
        for (kind, key), members in sorted(groups.items()):
            carrier_id = key if kind == "carrier" else self.street_carrier[key].pk
            for start_at in range(0, len(members), 12):
                chunk = members[start_at : start_at + 12]
                oid += 1
                staff = [m for i in chunk for m, _f in self.members_of.get(i, [])]
                carrier_name = self.carrier_names[carrier_id]
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
                    for member_id, _full in self.members_of.get(index, []):
                        member_org[member_id] = oid
        self.org_count = oid
        self.copy(
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
        self.copy(
            "organizations_partyorganization_covered_enterprises",
            ["id", "partyorganization_id", "enterprise_id"],
            ((i, o, e) for i, (o, e) in enumerate(covers, start=1)),
        )
        # Organization relationships: most members belong to the organization covering their
        # workplace; a few (mobile members, members not yet transferred) have none.
        pairs = [(m, o) for m, o in member_org.items() if not (m in self.m_mobile and rng.random() < 0.7)]
        pairs = [(m, o) for m, o in pairs if rng.random() >= 0.03]
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE seed_member_org (member_id bigint, org_id bigint) ON COMMIT DROP")
            raw = cursor.cursor
            buffer = io.StringIO("".join(f"{m}\t{o}\n" for m, o in pairs))
            raw.copy_expert("COPY seed_member_org FROM STDIN", buffer)
            cursor.execute(
                "UPDATE organizations_partymember m SET organization_id = s.org_id"
                " FROM seed_member_org s WHERE m.id = s.member_id"
            )
            cursor.execute("DROP TABLE seed_member_org")

    @property
    def carrier_names(self) -> dict[int, str]:
        if not hasattr(self, "_carrier_names"):
            self._carrier_names = dict(Carrier.objects.values_list("id", "name"))
        return self._carrier_names

    def build_instructors(self) -> None:
        rng = self.rng
        source_cum = _cum(s[1] for s in INSTRUCTOR_SOURCES)
        # Enterprises without members that are worth an instructor: companies with 10+ staff, or any 50+.
        candidates: dict[int, list[int]] = {}
        for index in range(len(self.e_employees)):
            if index in self.members_of or not self.e_in_scope[index] or self.e_individual[index]:
                continue
            employees = self.e_employees[index]
            if employees >= 50 or (employees >= 5 and rng.random() < 0.8):
                candidates.setdefault(self.e_district[index], []).append(index)
        instructors, assignments = [], []
        iid = aid = 0
        for d, indexes in sorted(candidates.items()):
            district = self.districts[d]
            chosen = [i for i in indexes if rng.random() < 0.6]
            for start_at in range(0, len(chosen), 5):
                iid += 1
                instructors.append(
                    (
                        iid,
                        self.person_name(),
                        _pick(rng, INSTRUCTOR_SOURCES, source_cum)[0],
                        f"{district.name}{rng.choice(['市场监管局', '商务局', '人社局', '工信局', '街道办事处'])}",
                        rng.random() < 0.6,
                        *self.encrypted_phone(1.0),
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
        self.instructor_count = iid
        self.copy(
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
        )
        self.copy(
            "instructors_assignment",
            ["id", "instructor_id", "enterprise_id", "start_on", "end_on", "created_at"],
            assignments,
        )

    def build_survey(self) -> None:
        rng = self.rng
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO enterprises_surveycampaign (name, region_id, starts_on, deadline, is_current, created_at)"
                " VALUES (%s, %s, %s, %s, true, %s) RETURNING id",
                [
                    "2026年非公有制企业党建工作拉网式排查",
                    self.city.pk,
                    dt.date(2026, 9, 1),
                    dt.date(2026, 12, 31),
                    STAMP,
                ],
            )
            campaign_id = cursor.fetchone()[0]
        span = (DEMO_TODAY - dt.date(2026, 9, 1)).days

        def rows():
            vid = 0
            for index in range(len(self.e_employees)):
                if not self.e_in_scope[index] or rng.random() >= 0.55:
                    continue
                vid += 1
                members = len(self.members_of.get(index, ()))
                yield (
                    vid,
                    campaign_id,
                    index + 1,
                    dt.date(2026, 9, 1) + dt.timedelta(days=rng.randrange(span)),
                    None,
                    members,
                    self.e_employees[index],
                    "",
                    STAMP,
                )

        self.copy(
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
        )
        self.counts["enterprises_surveycampaign"] = 1

    def build_org_life(self) -> None:
        rng = self.rng
        topics = [
            "学习贯彻党的二十届四中全会精神",
            "主题党日：走进红色教育基地",
            "专题党课：党建引领企业发展",
            "组织生活会",
            "发展党员工作",
        ]
        sample = range(1, min(self.org_count, 3000) + 1)

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

        self.copy(
            "organizations_orgliferecord",
            ["id", "organization_id", "kind", "held_on", "topic", "attendance", "notes", "created_at"],
            life(),
        )
        self.copy(
            "organizations_excellencesystem",
            ["id", "organization_id", "name", "description", "adopted_on"],
            (
                (oid, oid, "党员先锋岗制度", "设立党员示范岗、责任区，亮身份、作表率", dt.date(2024, 3, 1))
                for oid in sample
                if oid % 5
            ),
        )

    def build_evaluations(self) -> None:
        rng = self.rng
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT o.id, c.enterprise_id, o.region_id FROM organizations_partyorganization o"
                " JOIN organizations_partyorganization_covered_enterprises c ON c.partyorganization_id = o.id"
                " WHERE o.formation = 'STANDALONE' AND o.dissolved_on IS NULL ORDER BY o.id LIMIT 200"
            )
            standalone = cursor.fetchall()
        year = DEMO_TODAY.year
        self.copy(
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
        self.copy(
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
        self.copy(
            "assessments_demonstrationsite",
            ["id", "name", "level", "year", "region_id", "organization_id", "enterprise_id", "named_on"],
            (
                (i, f"党建示范点（{year}）第{i}号", "CITY", year, self.city.pk, org, enterprise, dt.date(year, 6, 28))
                for i, (org, enterprise, _r) in enumerate(standalone[:20], start=1)
            ),
        )
        self.copy(
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
                for i, chamber in enumerate(self.chambers, start=1)
            ),
        )

    def build_users(self, result: SeedResult) -> None:
        User = get_user_model()
        taishan, daiyue = self.districts[0], self.districts[1]
        specs = [
            ("admin", "市级管理员", Role.CITY_ADMIN, self.city, True),
            ("city_leader", "市委组织部领导", Role.LEADER, self.city, False),
            ("taishan_staff", "泰山区组织部干部", Role.DISTRICT_STAFF, taishan, False),
            ("taishan_commerce", "泰山区市场监管分局干部", Role.COMMERCE_STAFF, taishan, False),
            ("taishan_leader", "泰山区领导", Role.LEADER, taishan, False),
            ("daiyue_staff", "岱岳区组织部干部", Role.DISTRICT_STAFF, daiyue, False),
            ("api_client", "数据交换接口", Role.API_CLIENT, self.city, False),
        ]
        for username, full_name, role, region, superuser in specs:
            user = User(
                username=username,
                full_name=full_name,
                role=role,
                jurisdiction=region,
                is_staff=superuser,
                is_superuser=superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            result.users.append((username, Role(role).label, region.name))
            if role == Role.API_CLIENT:
                result.api_token = Token.objects.create(user=user).key
        result.counts["portal_user"] = len(specs)


def _rating(score: float) -> str:
    return "EXCELLENT" if score >= 90 else "GOOD" if score >= 80 else "FAIR" if score >= 60 else "POOR"
