"""派驻指导员 in a real headless Chromium, as district staff, with the keyboard: 台账 → the gap list
无党员且无指导员 → an enterprise → 派驻指导员 (the instructor picked in the autocomplete, the load in
its label) → the enterprise is work-covered at once and leaves the gap list. A refused dispatch
shows its reason beside the field. Every instructors form is screenshotted (desktop, and 390 px:
no sideways scrolling) to var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from instructors.choices import InstructorSource
from instructors.models import Assignment
from tests.browser import login, needs_chromium, screenshot, tab_to
from tests.factories import AssignmentFactory, EnterpriseFactory, InstructorFactory, PartyMemberFactory, UserFactory

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _press_link(page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.focus()
    page.keyboard.press("Enter")


def test_district_staff_dispatch_an_instructor_from_the_gap_list_with_the_keyboard(
    live_server, browser_page, taishan, daiyue
):
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    instructor = InstructorFactory(name="王强", source=InstructorSource.COMMERCE_CADRE, region=taishan)
    AssignmentFactory(instructor=instructor, enterprise=EnterpriseFactory(region=taishan, name="泰安已联系有限公司"))
    InstructorFactory(name="王岱", region=daiyue)  # another district's: never offered
    target = EnterpriseFactory(region=taishan, name="泰安无党员科技有限公司")
    with_members = EnterpriseFactory(region=taishan, name="泰安有党员商贸有限公司")
    PartyMemberFactory(workplace=with_members, region=taishan)
    PartyMemberFactory(workplace=with_members, region=taishan)
    base = live_server.url

    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, base, "taishan_staff")

    page.get_by_role("navigation").get_by_role("link", name="台账", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/ledger/"))
    _press_link(page, "无党员且无指导员")
    page.wait_for_url(re.compile(r"/ledger/gaps/no_members_no_instructor/"))
    gap_url = page.url
    expect(page.get_by_role("link", name="泰安无党员科技有限公司")).to_be_visible()
    screenshot(page, "instructors_gap_list_before")
    _press_link(page, "泰安无党员科技有限公司")
    page.wait_for_url(f"{base}{target.get_absolute_url()}")
    _press_link(page, "派驻指导员")
    page.wait_for_url(re.compile(r"/instructors/dispatch/\?enterprise="))
    # the enterprise came prefilled from the page
    assert page.locator("select[name=enterprise]").evaluate("s => [...s.selectedOptions].map(o => o.value)") == [
        str(target.pk)
    ]
    assert page.locator("#id_start_on").input_value() == f"{timezone.localdate():%Y-%m-%d}"
    screenshot(page, "instructors_dispatch")

    tab_to(page, "id_instructor-search")
    page.keyboard.type("王", delay=40)
    listbox = page.locator("#id_instructor-listbox")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option")).to_contain_text("王强（工商干部，已联系1户）")
    screenshot(page, "instructors_dispatch_picker")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("select[name=instructor]").input_value() == str(instructor.pk)

    # add the enterprise with members too: the whole dispatch is refused, the reason beside the field
    tab_to(page, "id_enterprise-search", limit=10)
    page.keyboard.type("有党员", delay=40)
    expect(page.locator("#id_enterprise-listbox").get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="派驻", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#enterprise-errors")).to_contain_text(
        "“泰安有党员商贸有限公司”已有党员（2名），应组建党组织或纳入联合党组织，不派驻指导员"
    )
    assert page.evaluate("document.activeElement.id") == "id_enterprise-search"  # focus on the error
    assert not Assignment.objects.filter(enterprise=target).exists()
    suggestions = page.locator("#id_enterprise-listbox")
    expect(suggestions).to_be_hidden()  # the focus alone opens nothing: the reason beside the field shows
    page.keyboard.press("ArrowDown")  # a keyboard user asks for the suggestions
    expect(suggestions.get_by_role("option")).to_have_count(3)
    page.keyboard.press("Escape")
    expect(suggestions).to_be_hidden()
    screenshot(page, "instructors_dispatch_refused")

    page.keyboard.press("Backspace")  # the empty search box: removes the last chosen (有党员) enterprise
    assert page.locator("select[name=enterprise]").evaluate("s => [...s.selectedOptions].map(o => o.value)") == [
        str(target.pk)
    ]
    page.get_by_role("button", name="派驻", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{target.get_absolute_url()}")
    expect(page.locator(".messages li.success")).to_contain_text("已派驻指导员")
    expect(page.locator(".coverage-panel:not(.gap-list)")).to_contain_text("派驻指导员 1 名")
    expect(page.get_by_role("link", name="结束派驻")).to_be_visible()
    screenshot(page, "instructors_enterprise_covered")

    page.goto(gap_url)
    expect(page.get_by_role("link", name="泰安已联系有限公司")).to_have_count(0)
    expect(page.get_by_role("link", name="泰安无党员科技有限公司")).to_have_count(0)
    screenshot(page, "instructors_gap_list_after")
    assert problems == []


def test_instructors_forms_on_desktop_and_on_a_390px_phone(live_server, browser_page, taishan):
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    instructor = InstructorFactory(name="王强", region=taishan, phone="13912345678", employer="区市场监管局")
    enterprise = EnterpriseFactory(region=taishan, name="泰安手机测试有限公司")
    assignment = AssignmentFactory(
        instructor=instructor, enterprise=enterprise, start_on=timezone.localdate() - dt.timedelta(days=20)
    )
    base = live_server.url
    page = browser_page
    login(page, base, "taishan_staff")
    pages = {
        "instructor_list": "/instructors/",
        "instructor_detail": instructor.get_absolute_url(),
        "instructor_create": "/instructors/new/",
        "instructor_update": f"/instructors/{instructor.pk}/edit/",
        "instructor_end": f"/instructors/{instructor.pk}/end/",
        "dispatch": f"/instructors/dispatch/?enterprise={enterprise.pk}&instructor={instructor.pk}",
        "assignment_end": f"/instructors/assignments/{assignment.pk}/end/",
    }
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        screenshot(page, f"instructors_desktop_{name}")
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, f"instructors_390_{name}")
        assert width <= 390, f"{name} scrolls sideways: {width}px"
    page.goto(f"{base}{pages['dispatch']}")
    box = page.get_by_role("button", name="派驻", exact=True).bounding_box()
    assert box and box["height"] >= 44
