"""The planners and the gap actions in a real headless Chromium, as district staff: the enterprise
page's gaps with their buttons, a gap list's row actions, 组建建议, 派驻建议, 本轮排查, and 落实到街道
confirmed in bulk with the keyboard (Space ticks, Enter submits). Each page is screenshotted to
var/screenshots/, also at 390 px (a phone: no horizontal scrolling of the page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enterprises.models import Enterprise
from organizations.choices import MemberStatus
from tests.assessments.factories import CompleteEnterpriseFactory, SurveyCampaignFactory, street
from tests.browser import login, needs_chromium, screenshot
from tests.factories import CarrierFactory, InstructorFactory, PartyMemberFactory, UserFactory

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _members(enterprise, n: int) -> None:
    for _ in range(n):
        PartyMemberFactory(workplace=enterprise, status=MemberStatus.FULL, region=enterprise.region)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_district_staff_work_the_planners_and_place_enterprises_in_bulk(live_server, browser_page, taishan, daiyue):
    caiyuan = street(parent=taishan)
    today = timezone.localdate()
    SurveyCampaignFactory(
        region=taishan, starts_on=today - dt.timedelta(days=20), deadline=today + dt.timedelta(days=12)
    )
    park = CarrierFactory(name="泰山科技园", region=taishan)
    _members(CompleteEnterpriseFactory(name="科技园甲有限公司", carrier=park), 2)
    _members(CompleteEnterpriseFactory(name="科技园乙有限公司", carrier=park), 1)
    CompleteEnterpriseFactory(name="科技园丙有限公司", carrier=park)
    due = CompleteEnterpriseFactory(name="三名党员有限公司", region=caiyuan)
    _members(due, 3)
    InstructorFactory(name="王指导员", region=caiyuan)
    CompleteEnterpriseFactory(name="财源无党员商行", region=caiyuan)
    CompleteEnterpriseFactory(name="仅到区县甲公司", address="泰山区财源街道东岳大街1号")
    CompleteEnterpriseFactory(name="仅到区县乙公司", address="泰山区财源街道岱宗大街2号")
    CompleteEnterpriseFactory(name="地址不明公司", address="泰山区某路")
    CompleteEnterpriseFactory(name="岱岳企业", region=daiyue, address="泰山区财源街道3号")
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    base = live_server.url
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, base, "taishan_staff")

    page.goto(f"{base}{due.get_absolute_url()}")
    panel = page.locator(".gap-actions")
    expect(panel).to_contain_text("应建未建")
    expect(panel.locator('[data-gap="not_surveyed"]')).to_be_visible()
    screenshot(page, "gaps_enterprise_page")

    page.goto(f"{base}/ledger/gaps/standalone_due/?live=1")
    expect(page.locator("table.table tbody")).to_contain_text("三名党员有限公司")
    screenshot(page, "gaps_standalone_due_list")

    page.goto(f"{base}/ledger/plans/joint/")
    row = page.locator("table.plan-joint tbody tr").first
    expect(row).to_contain_text("泰山科技园")
    expect(row).to_contain_text("科技园丙有限公司")
    screenshot(page, "planner_joint")

    page.goto(f"{base}/ledger/plans/dispatch/")
    expect(page.locator("table.plan-dispatch")).to_contain_text("王指导员")
    screenshot(page, "planner_dispatch")

    page.goto(f"{base}/ledger/plans/survey/")
    expect(page.locator(".campaign")).to_contain_text("还剩 12 天")
    expect(page.locator("table.survey-progress")).to_contain_text("财源街道")
    screenshot(page, "planner_survey")

    page.goto(f"{base}/ledger/plans/place/")
    expect(page.locator("table.plan-place")).not_to_contain_text("岱岳企业")
    expect(page.locator("table.plan-place")).to_contain_text("无法匹配")
    screenshot(page, "planner_place")
    first = Enterprise.objects.get(name="仅到区县甲公司")
    box = page.locator(f"#place-{first.pk}")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    page.keyboard.press("Enter")  # implicit submission of the form
    expect(page.locator(".messages li.success")).to_contain_text("已落实到街道：1 家企业")
    expect(page.locator("table.plan-place")).not_to_contain_text("仅到区县甲公司")
    expect(page.locator("table.plan-place")).to_contain_text("仅到区县乙公司")
    first.refresh_from_db()
    assert first.region == caiyuan
    screenshot(page, "planner_place_confirmed")

    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        ("/ledger/plans/survey/", "planner_survey_phone"),
        ("/ledger/plans/place/", "planner_place_phone"),
        (due.get_absolute_url(), "gaps_enterprise_page_phone"),
    ):
        page.goto(f"{base}{path}")
        screenshot(page, name)
        assert _no_horizontal_scroll(page), path
    assert problems == []
