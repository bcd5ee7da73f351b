"""The three workflows of the staff workspace in a real headless Chromium, as district staff:
an enterprise not yet surveyed → 记录走访 finding 3 full members (one form) → the enterprise is now
in the 应建未建 gap list → 组建党组织 (standalone) → the enterprise page shows it covered and it is
gone from the gap list. Every form is screenshotted (desktop, and 390 px for 记录走访 and 登记党员)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from enterprises.models import SurveyCampaign, SurveyVisit
from organizations.models import PartyMember, PartyOrganization
from tests.browser import login, needs_chromium, screenshot
from tests.factories import EnterpriseFactory, PartyMemberFactory, PartyOrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _fill_member(page, index: int, name: str, hidden: str = "") -> None:
    prefix = f"#id_members-{index}-"
    page.fill(prefix + "name", name)
    page.select_option(prefix + "gender", "M")
    page.fill(prefix + "birth_date", "1988-04-02")
    page.select_option(prefix + "education", "BACHELOR")
    page.fill(prefix + "joined_on", "2012-07-01")
    if hidden:
        page.check(prefix + "is_hidden")
        page.select_option(prefix + "discovered_via", hidden)


def test_survey_visit_then_standalone_organization_closes_the_gap(live_server, browser_page, taishan):
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    SurveyCampaign.objects.create(
        name="2026年拉网式排查",
        region=taishan,
        starts_on=dt.date(2026, 1, 1),
        deadline=dt.date(2026, 12, 31),
        is_current=True,
    )
    enterprise = EnterpriseFactory(region=taishan, name="泰安浏览器走访有限公司", employee_count=12)
    base = live_server.url
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, base, "taishan_staff")

    page.goto(f"{base}/ledger/gaps/standalone_due/")
    expect(page.get_by_role("link", name="泰安浏览器走访有限公司")).to_have_count(0)
    page.goto(f"{base}/organizations/survey-visit/?enterprise={enterprise.pk}")
    expect(page.locator("#id_employee_count")).to_have_value("12")  # prefilled
    screenshot(page, "workspace_survey_visit")
    page.fill("#id_employee_count", "35")
    page.fill("#id_member_count_confirmed", "3")
    _fill_member(page, 0, "赵一")
    _fill_member(page, 1, "钱二")
    _fill_member(page, 2, "孙三")  # hidden, but without how found: refused beside the field
    page.check("#id_members-2-is_hidden")
    page.locator("#id_members-2-joined_on").focus()
    page.keyboard.press("Enter")  # implicit submission with the keyboard
    page.wait_for_load_state()
    expect(page.locator("#members-2-discovered_via-errors")).to_contain_text("隐性党员应填写发现途径")
    expect(page.locator("#error-summary")).to_be_visible()
    assert not SurveyVisit.objects.exists() and not PartyMember.objects.exists()
    screenshot(page, "workspace_survey_visit_error")
    page.select_option("#id_members-2-discovered_via", "ORG_FOUND")
    page.locator("#id_members-2-discovered_via").focus()
    page.get_by_role("button", name="保存走访").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{enterprise.get_absolute_url()}")
    expect(page.locator(".messages li.success")).to_contain_text("登记党员 3 名")
    assert SurveyVisit.objects.count() == 1 and enterprise.members.count() == 3
    expect(page.locator(".coverage-panel:not(.gap-list)")).to_contain_text("应建未建")

    page.goto(f"{base}/ledger/gaps/standalone_due/")
    page.get_by_role("link", name="泰安浏览器走访有限公司").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{enterprise.get_absolute_url()}**")
    page.goto(f"{base}/organizations/new/?formation=STANDALONE&enterprise={enterprise.pk}")
    expect(page.locator("#id_name")).to_have_value("泰安浏览器走访有限公司党支部")
    screenshot(page, "workspace_organization_create")
    page.locator("#id_name").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/organizations/*/")
    org = PartyOrganization.objects.get()
    assert list(org.covered_enterprises.all()) == [enterprise]
    screenshot(page, "workspace_organization_saved")

    page.goto(f"{base}{enterprise.get_absolute_url()}")
    expect(page.locator(".coverage-panel:not(.gap-list)")).to_contain_text("已覆盖")
    expect(page.locator(".coverage-panel:not(.gap-list)")).not_to_contain_text("应建未建")
    page.goto(f"{base}/ledger/gaps/standalone_due/")
    expect(page.get_by_role("link", name="泰安浏览器走访有限公司")).to_have_count(0)
    assert problems == []


def test_member_and_organization_forms_at_desktop_and_390px(live_server, browser_page, taishan):
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    SurveyCampaign.objects.create(
        name="2026年拉网式排查",
        region=taishan,
        starts_on=dt.date(2026, 1, 1),
        deadline=dt.date(2026, 12, 31),
        is_current=True,
    )
    enterprise = EnterpriseFactory(region=taishan, name="泰安手机走访有限公司")
    org = PartyOrganizationFactory(region=taishan, name="泰山区测试党支部", covered=[enterprise])
    member = PartyMemberFactory(region=taishan, organization=org, workplace=enterprise)
    base = live_server.url
    page = browser_page
    login(page, base, "taishan_staff")
    pages = {
        "member_create": f"/organizations/members/new/?enterprise={enterprise.pk}",
        "member_update": f"/organizations/members/{member.pk}/edit/",
        "member_transfer": f"/organizations/members/{member.pk}/transfer/",
        "organization_create": f"/organizations/new/?formation=STANDALONE&enterprise={enterprise.pk}",
        "organization_update": f"/organizations/{org.pk}/edit/",
        "organization_dissolve": f"/organizations/{org.pk}/dissolve/",
        "survey_visit": f"/organizations/survey-visit/?enterprise={enterprise.pk}",
        "member_detail": member.get_absolute_url(),
        "organization_detail": org.get_absolute_url(),
    }
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        screenshot(page, f"workspace_desktop_{name}")
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, f"workspace_390_{name}")
        assert width <= 390, f"{name} scrolls sideways: {width}px"
    for path in (pages["survey_visit"], pages["member_create"]):
        page.goto(f"{base}{path}")
        for button in page.locator(".form-actions button, .form-actions a.button").all():
            box = button.bounding_box()
            assert box and box["height"] >= 44, path
        for box in [field.bounding_box() for field in page.locator("input[type=text], input[type=date], select").all()]:
            assert box is None or box["height"] >= 40, path
