"""Carriers (parks, buildings, chambers, service stations) and the enterprises of the register."""

from __future__ import annotations

import datetime as dt

from demo import geography as geo
from demo.registers import base31, valid_credit_code
from demo.seeding.state import DEMO_TODAY, STAMP, SeedState, cumulative
from enterprises.choices import CarrierKind, EnterpriseKind, RegistrationStatus
from enterprises.models import Carrier

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


def build_carriers(state: SeedState) -> None:
    state.parks = {}
    state.street_carrier = {}
    state.chambers = []
    carriers = []
    for district, (_code, name, _w, _streets, parks) in zip(state.districts, geo.DISTRICTS, strict=True):
        for park in parks:
            carriers.append(Carrier(name=park, kind=geo.carrier_kind(park), region=district))
        carriers.append(Carrier(name=f"{name}工商业联合会（总商会）", kind=CarrierKind.CHAMBER, region=district))
        carriers.append(Carrier(name=f"{name}物流行业协会", kind=CarrierKind.INDUSTRY_ASSOCIATION, region=district))
        for street in state.streets[district.pk]:
            carriers.append(Carrier(name=f"{street.name}非公企业党建服务站", kind=CarrierKind.COMMUNITY, region=street))
    Carrier.objects.bulk_create(carriers)
    for carrier in Carrier.objects.select_related("region").order_by("id"):
        if carrier.kind == CarrierKind.COMMUNITY:
            state.street_carrier[carrier.region_id] = carrier
        elif carrier.kind == CarrierKind.CHAMBER:
            state.chambers.append(carrier)
        elif carrier.kind != CarrierKind.INDUSTRY_ASSOCIATION:
            state.parks.setdefault(carrier.region_id, []).append(carrier)
    state.counts["enterprises_carrier"] = len(carriers)
    state.tables.append("enterprises_carrier")


def build_enterprises(state: SeedState, n: int) -> None:
    rng = state.rng
    district_cum = cumulative(d[2] for d in geo.DISTRICTS)
    kind_cum = cumulative(k[1] for k in KINDS)
    status_cum = cumulative(s[1] for s in STATUSES)
    industry_cum_ind = cumulative(i[1] for i in geo.INDUSTRIES)
    industry_cum_co = cumulative(i[2] for i in geo.INDUSTRIES)
    # Compact per-enterprise facts later stages need (index = id - 1).
    state.e_region = []
    state.e_district = []
    state.e_carrier = []
    state.e_employees = []
    state.e_individual = []
    state.e_in_scope = []
    state.e_name = []
    district_index = list(range(len(state.districts)))

    def rows():
        for eid in range(1, n + 1):
            d = rng.choices(district_index, cum_weights=district_cum)[0]
            district = state.districts[d]
            dname = geo.DISTRICTS[d][1]
            street = rng.choice(state.streets[district.pk])
            kind, _w, prefix = rng.choices(KINDS, cum_weights=kind_cum)[0]
            individual = kind == EnterpriseKind.INDIVIDUAL
            letter, _a, _b, words = rng.choices(
                geo.INDUSTRIES, cum_weights=industry_cum_ind if individual else industry_cum_co
            )[0]
            year = max(1993, DEMO_TODAY.year - 2 - int(rng.expovariate(1 / (3.5 if individual else 7))))
            registered = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            code = valid_credit_code(prefix, district.code, "MA" + base31(eid, 6) if year >= 2016 else f"{eid:08d}")
            zihao = rng.choice(geo.ZIHAO) + rng.choice(geo.ZIHAO)
            word = rng.choice(words)
            boss = state.person_name()
            carrier = None
            parks = state.parks.get(district.pk, [])
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
            state.e_region.append(street.pk)
            state.e_district.append(d)
            state.e_carrier.append(carrier)
            state.e_employees.append(employees)
            state.e_individual.append(individual)
            state.e_in_scope.append(status in (RegistrationStatus.EXISTING, RegistrationStatus.OPERATING))
            state.e_name.append(name)
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

    state.copy(
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
        not_null=("industry_division", "investor"),
    )
