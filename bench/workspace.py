"""Staff workspace: a form save and its workflow, server time through the full Django stack.

    make bench BENCH_ARGS="--only workspace"               # the demo city (20,000 enterprises)
    make bench BENCH_ARGS="--only workspace --rows 100000"

Each step POSTs a real form as district staff (泰山区) with Django's test client — URL routing,
middleware (sessions, CSRF, audit attribution, CSP), the form, the service with its scope checks,
full_clean and the audit triggers — and is timed from the request to the response (redirect; the
page it redirects to is not part of the save). The baseline, measured in the same run, is the bare
write of the same record through the ORM inside the same audit attribution: what any save costs.
The goal (issue "Staff workspace"): every save under 300 ms p95 at the demo size.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.common import setup_django

DEFAULT_ROWS = 20_000
REPEAT = 25
GOAL_MS = 300.0


@dataclass
class Step:
    name: str
    url: str
    data: Callable[[int], dict]  # the POST for the i-th repetition (form token added)
    baseline: Callable[[int], object]  # the bare ORM write of the same record
    expect: int = 302


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def run(rows: int | None = None) -> bool:
    setup_django("portal_bench_workspace")
    # After django.setup(): models and the test client need the app registry.
    # cycle: Django must be configured before these modules are imported (load order)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from demo.registers import base31, valid_credit_code
    from enterprises.choices import EnterpriseKind, RegistrationStatus
    from enterprises.models import Enterprise, SurveyCampaign, SurveyVisit
    from instructors.models import Assignment, Instructor
    from organizations.choices import Formation, MemberStatus, OrgLevel
    from organizations.models import PartyMember, PartyOrganization
    from portal.audit import attributed
    from portal.choices import RegionLevel
    from portal.models import Region, User
    from portal.validators import id_number_check_char

    size = rows or DEFAULT_ROWS
    if not Enterprise.objects.exists():
        print(f"seeding the demo city with {size:,} enterprises …", flush=True)
        call_command("seed_demo", enterprises=size, verbosity=0, stdout=io.StringIO())
    staff = User.objects.get(username="taishan_staff")
    district = staff.jurisdiction
    street = Region.objects.filter(parent=district, level=RegionLevel.STREET).order_by("code").first()
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host, as a browser on the portal would send
    client.force_login(staff)
    today = timezone.localdate().isoformat()
    serial = itertools.count(time.time_ns() // 1000 % 31**8)  # fresh codes on every run (microseconds)

    def credit_code() -> str:
        return valid_credit_code("91", district.code, base31(next(serial), 8))

    def enterprise_post(i: int) -> dict:
        return {
            "credit_code": credit_code(),
            "name": f"泰安基准测试{i}号有限公司",
            "kind": EnterpriseKind.LIMITED_COMPANY,
            "region": street.pk,
            "registration_status": RegistrationStatus.EXISTING,
            "employee_count": "12",
            "address": "山东省泰安市泰山区东岳大街1号",
            "legal_representative": "王五",
        }

    def enterprise_bare(i: int) -> object:
        return Enterprise.objects.create(
            credit_code=credit_code(),
            name=f"泰安基准对照{i}号有限公司",
            kind=EnterpriseKind.LIMITED_COMPANY,
            region=street,
            registration_status=RegistrationStatus.EXISTING,
            employee_count=12,
        )

    edited = Enterprise.objects.visible_to(staff).filter(region=street).order_by("pk").first()

    def enterprise_edit_post(i: int) -> dict:
        return {
            "credit_code": edited.credit_code,
            "name": edited.name,
            "kind": edited.kind,
            "region": edited.region_id,
            "registration_status": edited.registration_status,
            "employee_count": str(10 + i),
        }

    def enterprise_edit_bare(i: int) -> object:
        edited.employee_count = 100 + i
        edited.save(update_fields=["employee_count"])
        return edited

    # Enterprises without members, none served yet: each repetition dispatches to a fresh one.
    free = iter(
        Enterprise.objects.visible_to(staff)
        .filter(members__isnull=True, assignments__isnull=True, registration_status=RegistrationStatus.EXISTING)
        .order_by("pk")
        .values_list("pk", flat=True)[: 2 * REPEAT + 10]
    )
    instructor = Instructor.objects.visible_to(staff).order_by("pk").first()

    def dispatch_post(i: int) -> dict:
        return {"instructor": instructor.pk, "enterprise": [next(free)], "start_on": today}

    def dispatch_bare(i: int) -> object:
        return Assignment.objects.create(instructor=instructor, enterprise_id=next(free), start_on=today)

    # 记录走访 with three members found, then 组建党组织 (standalone) on the same enterprises: the
    # day's core workflow. Enterprises without members, not yet visited in the current campaign.
    campaign = SurveyCampaign.objects.filter(is_current=True).first()
    unvisited = list(
        Enterprise.objects.visible_to(staff)
        .filter(members__isnull=True, registration_status=RegistrationStatus.EXISTING)
        .exclude(survey_visits__campaign=campaign)
        .exclude(pk__in=Assignment.objects.values("enterprise_id"))
        .order_by("-pk")
        .values_list("pk", flat=True)[: 2 * REPEAT + 10]
    )
    visit_targets, bare_visit_targets = iter(unvisited[:REPEAT]), iter(unvisited[REPEAT:])
    people = itertools.count(1)

    def id_number() -> str:
        body = f"370902{1970 + next(people) % 30}0101{next(serial) % 1000:03d}"
        return body + id_number_check_char(body)

    def found_member(index: int) -> dict:
        return {
            f"members-{index}-name": f"基准党员{index}",
            f"members-{index}-status": MemberStatus.FULL,
            f"members-{index}-id_number": id_number(),
            f"members-{index}-gender": "F",
            f"members-{index}-birth_date": "1990-05-01",
            f"members-{index}-education": "BACHELOR",
            f"members-{index}-joined_on": "2015-07-01",
        }

    def visit_post(i: int) -> dict:
        data = {
            "visited_on": today,
            "member_count_confirmed": "3",
            "employee_count": "30",
            "address": "山东省泰安市泰山区东岳大街1号",
            "legal_representative": "王五",
            "members-TOTAL_FORMS": "3",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "50",
        }
        for index in range(3):
            data |= found_member(index)
        return data

    def visit_bare(i: int) -> object:
        pk = next(bare_visit_targets)
        SurveyVisit.objects.create(campaign=campaign, enterprise_id=pk, visited_on=today, member_count_confirmed=3)
        for index in range(3):
            PartyMember.objects.create(
                name=f"对照党员{index}", status=MemberStatus.FULL, workplace_id=pk, region=street, id_number=id_number()
            )
        return pk

    organized = iter(unvisited[:REPEAT])

    def organization_post(i: int) -> dict:
        pk = next(organized)
        return {
            "name": f"基准测试{i}号党支部",
            "formation": Formation.STANDALONE,
            "level": OrgLevel.BRANCH,
            "covered_enterprises": [pk],
            "established_on": today,
        }

    bare_organized = iter(unvisited[REPEAT:])

    def organization_bare(i: int) -> object:
        organization = PartyOrganization.objects.create(
            name=f"对照{i}号党支部",
            formation=Formation.STANDALONE,
            level=OrgLevel.BRANCH,
            region=street,
            established_on=today,
        )
        organization.covered_enterprises.add(next(bare_organized))
        return organization

    steps = [
        Step("新增企业", reverse("enterprises:create"), enterprise_post, enterprise_bare),
        Step("编辑企业", reverse("enterprises:update", args=[edited.pk]), enterprise_edit_post, enterprise_edit_bare),
        Step("派驻指导员", reverse("instructors:dispatch"), dispatch_post, dispatch_bare),
        Step("记录走访+3名党员", "", visit_post, visit_bare),
        Step("组建党组织", reverse("organizations:create"), organization_post, organization_bare),
    ]

    ok = True
    print(f"{'step':<10} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'bare p50':>9} {'ratio':>6}")
    for step in steps:
        samples, bare, queries = [], [], 0
        for i in range(REPEAT):
            url = step.url or f"{reverse('organizations:survey-visit')}?enterprise={next(visit_targets)}"
            form_html = client.get(url).content.decode()
            token = re.search(r'name="form_token" value="([0-9a-f]+)"', form_html)
            data = step.data(i) | ({"form_token": token.group(1)} if token else {})
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(url, data)
                samples.append(time.perf_counter() - started)
            if response.status_code != step.expect:
                print(f"{step.name}: answered {response.status_code}, expected {step.expect}")
                errors = re.findall(r'class="field-errors"[^>]*>(.*?)</div>', response.content.decode(), re.S)
                print([re.sub(r"<[^>]+>|\s+", " ", e).strip() for e in errors if e.strip()])
                return False
            queries = len(captured)
            started = time.perf_counter()
            with attributed(staff, context="bench"), transaction.atomic():
                step.baseline(i)
            bare.append(time.perf_counter() - started)
        p50, p95 = _ms(samples)
        bare50, _ = _ms(bare)
        ratio = p50 / bare50 if bare50 else float("nan")
        print(f"{step.name:<10} {p50:8.1f} {p95:8.1f} {queries:8d} {bare50:9.1f} {ratio:6.1f}")
        ok &= p95 < GOAL_MS
    print(f"goal: every save under {GOAL_MS:.0f} ms p95 — {'met' if ok else 'NOT met'}")
    return ok
