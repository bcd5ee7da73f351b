"""A small hand-built world with known answers for every ledger rule and edge case.

Each enterprise is named for the case it stands for; EXPECTED lists the figures it counts in.
As of AS_OF (2026-06-30).
"""

from __future__ import annotations

import datetime as dt

from enterprises.choices import EnterpriseKind, RegistrationStatus
from organizations.choices import Formation, MemberStatus, OrgLevel
from tests.assessments.factories import CompleteEnterpriseFactory, SurveyCampaignFactory, SurveyVisitFactory, street
from tests.factories import (
    AssignmentFactory,
    CarrierFactory,
    PartyMemberFactory,
    PartyOrganizationFactory,
    district,
    make_credit_code,
    other_district,
)

AS_OF = dt.date(2026, 6, 30)

# Every in-scope enterprise with complete data, complete members and no visit counts in these.
COMMON = {"enterprises", "clear_overall", "clear_structure", "clear_distribution", "not_surveyed"}
NO_MEMBERS_NO_ORG = {"without_members", "no_org", "no_org_none"}
UNCOVERED = NO_MEMBERS_NO_ORG | {"work_uncovered", "no_members_no_instructor"}

EXPECTED: dict[str, set[str]] = {
    "standalone_three_full": COMMON
    | {"with_members", "org_covered", "org_covered_standalone", "standalone", "standalone_branch"},
    "exactly_three_full_no_org": COMMON | {"with_members", "members_no_org", "standalone_due", "no_org", "no_org_due"},
    "two_full_one_probationary": COMMON | {"with_members", "members_no_org", "no_org", "no_org_few"},
    "probationary_only_in_joint": COMMON | {"with_members", "org_covered", "org_covered_joint", "joint_only"},
    "joint_without_members": COMMON
    | {"without_members", "work_covered", "work_by_joint", "joint_only", "no_members_no_instructor"},
    "expired_assignment": COMMON | UNCOVERED,
    "assignment_ends_on_as_of": COMMON
    | NO_MEMBERS_NO_ORG
    | {"work_covered", "work_by_instructor", "instructor_contacted"},
    "future_assignment": COMMON | UNCOVERED,
    "dissolved_org": COMMON | {"with_members", "members_no_org", "no_org", "no_org_few"},
    "org_dissolved_on_as_of": COMMON | {"with_members", "members_no_org", "no_org", "no_org_few"},
    "org_established_later": COMMON | {"with_members", "members_no_org", "no_org", "no_org_few"},
    "deregistered": set(),
    "moved_out": set(),
    "exactly_fifty": COMMON | UNCOVERED | {"fifty_no_members", "fifty_plus"},
    "forty_nine": COMMON | UNCOVERED,
    "mobile_member_no_org_relation": COMMON | {"with_members", "members_no_org", "no_org", "no_org_few"},
    "member_without_org_relation": (COMMON - {"clear_distribution"})
    | {"with_members", "members_no_org", "no_org", "no_org_few"},
    "member_missing_birth_date": (COMMON - {"clear_structure"})
    | {"with_members", "members_no_org", "no_org", "no_org_few"},
    "surveyed_now": (COMMON - {"not_surveyed"}) | UNCOVERED | {"surveyed", "clear_member_count", "clear_all"},
    "surveyed_old_campaign": COMMON | UNCOVERED,
    "blank_address": (COMMON - {"clear_overall"}) | UNCOVERED,
    "bad_check_character": (COMMON - {"clear_overall"}) | UNCOVERED,
    "confirmed_check_character": COMMON | UNCOVERED,
    "committee_hundred_in_street": COMMON
    | {
        "with_members",
        "org_covered",
        "org_covered_standalone",
        "standalone",
        "standalone_committee",
        "fifty_plus",
        "hundred_plus",
    },
    "general_branch_and_joint": COMMON
    | {"with_members", "org_covered", "org_covered_standalone", "org_covered_joint", "standalone"}
    | {"standalone_general_branch"},
    "joint_three_full": COMMON
    | {"with_members", "org_covered", "org_covered_joint", "joint_only", "joint_only_3plus", "standalone_due"},
    # 具有3名以上党员的 counts probationary members too; 应建未建 needs three full ones.
    "joint_two_full_one_probationary": COMMON
    | {"with_members", "org_covered", "org_covered_joint", "joint_only", "joint_only_3plus"},
    "individual_business_instructor_and_joint": COMMON
    | {"without_members", "work_covered", "work_by_instructor", "work_by_joint", "instructor_contacted", "joint_only"},
    "other_district": COMMON
    | {"with_members", "org_covered", "org_covered_standalone", "standalone", "standalone_branch"},
}

# Per-enterprise counts: (full, probationary, active instructors).
COUNTS = {
    "standalone_three_full": (3, 0, 0),
    "exactly_three_full_no_org": (3, 0, 0),
    "two_full_one_probationary": (2, 1, 0),
    "probationary_only_in_joint": (0, 1, 0),
    "assignment_ends_on_as_of": (0, 0, 1),
    "committee_hundred_in_street": (4, 0, 0),
    "joint_two_full_one_probationary": (2, 1, 0),
    "individual_business_instructor_and_joint": (0, 0, 2),
    "deregistered": (3, 0, 1),  # counted for its page, but out of scope for every figure
}

STREET_CASES = {"committee_hundred_in_street"}
OTHER_DISTRICT_CASES = {"other_district"}


def wrong_check_character(code: str) -> str:
    """The same code with a check character GB 32100 does not give (early codes look like this)."""
    return code[:17] + ("1" if code[17] != "1" else "2")


def build_world() -> dict:
    """Create the world; returns {case: Enterprise}."""
    taishan, daiyue = district(), other_district()
    caiyuan = street(parent=taishan)
    park = CarrierFactory(region=taishan, name="泰山科技园")
    home = PartyOrganizationFactory(name="机关党支部（组织关系）", region=taishan)
    joint = PartyOrganizationFactory(name="科技园联合党支部", formation=Formation.JOINT, carrier=park, region=taishan)
    world: dict = {}

    def make(case: str, **fields):
        fields.setdefault("region", taishan)
        world[case] = CompleteEnterpriseFactory(name=case, **fields)
        return world[case]

    def members(enterprise, n: int, status: str = MemberStatus.FULL, **fields):
        fields.setdefault("organization", home)
        for _ in range(n):
            PartyMemberFactory(workplace=enterprise, status=status, region=enterprise.region, **fields)

    def standalone(enterprise, level: str = OrgLevel.BRANCH, **fields):
        return PartyOrganizationFactory(
            name=f"{enterprise.name}党组织", level=level, region=enterprise.region, covered=[enterprise], **fields
        )

    e = make("standalone_three_full")
    members(e, 3)
    standalone(e)

    members(make("exactly_three_full_no_org"), 3)

    e = make("two_full_one_probationary")
    members(e, 2)
    members(e, 1, MemberStatus.PROBATIONARY)

    e = make("probationary_only_in_joint", carrier=park)
    members(e, 1, MemberStatus.PROBATIONARY)
    joint.covered_enterprises.add(e)

    joint.covered_enterprises.add(make("joint_without_members", carrier=park))

    AssignmentFactory(enterprise=make("expired_assignment"), start_on=dt.date(2024, 1, 1), end_on=dt.date(2025, 12, 31))
    AssignmentFactory(enterprise=make("assignment_ends_on_as_of"), start_on=dt.date(2025, 1, 1), end_on=AS_OF)
    AssignmentFactory(enterprise=make("future_assignment"), start_on=dt.date(2026, 7, 1))

    e = make("dissolved_org")
    members(e, 1)
    standalone(e, dissolved_on=dt.date(2026, 1, 1))

    e = make("org_dissolved_on_as_of")
    members(e, 1)
    standalone(e, dissolved_on=AS_OF)

    e = make("org_established_later")
    members(e, 1)
    standalone(e, established_on=dt.date(2026, 9, 1))

    e = make("deregistered", registration_status=RegistrationStatus.CANCELLED, employee_count=80)
    members(e, 3)
    standalone(e)
    AssignmentFactory(enterprise=e)
    make("moved_out", registration_status=RegistrationStatus.MOVED_OUT)

    make("exactly_fifty", employee_count=50)
    make("forty_nine", employee_count=49)

    members(make("mobile_member_no_org_relation"), 1, organization=None, is_mobile=True)
    members(make("member_without_org_relation"), 1, organization=None)
    members(make("member_missing_birth_date"), 1, birth_date=None)

    current = SurveyCampaignFactory(region=taishan, is_current=True)
    old = SurveyCampaignFactory(region=taishan, is_current=False, starts_on=dt.date(2025, 3, 1))
    SurveyVisitFactory(campaign=current, enterprise=make("surveyed_now"), visited_on=dt.date(2026, 5, 1))
    SurveyVisitFactory(campaign=old, enterprise=make("surveyed_old_campaign"), visited_on=dt.date(2025, 5, 1))

    make("blank_address", address="")
    make("bad_check_character", credit_code=wrong_check_character(make_credit_code()))
    make(
        "confirmed_check_character",
        credit_code=wrong_check_character(make_credit_code()),
        credit_code_check_confirmed=True,
    )

    e = make("committee_hundred_in_street", region=caiyuan, employee_count=120, above_scale=True)
    members(e, 4)
    standalone(e, level=OrgLevel.COMMITTEE)

    e = make("general_branch_and_joint", carrier=park)
    members(e, 1)
    standalone(e, level=OrgLevel.GENERAL_BRANCH)
    joint.covered_enterprises.add(e)

    e = make("joint_three_full", carrier=park)
    members(e, 3)
    joint.covered_enterprises.add(e)

    e = make("joint_two_full_one_probationary", carrier=park)
    members(e, 2)
    members(e, 1, MemberStatus.PROBATIONARY)
    joint.covered_enterprises.add(e)

    e = make("individual_business_instructor_and_joint", kind=EnterpriseKind.INDIVIDUAL, carrier=park)
    joint.covered_enterprises.add(e)
    AssignmentFactory(enterprise=e, start_on=dt.date(2026, 1, 1))
    AssignmentFactory(enterprise=e, start_on=dt.date(2026, 2, 1))

    e = make("other_district", region=daiyue)
    members(e, 1, organization=None, is_mobile=True)
    standalone(e)
    return world
