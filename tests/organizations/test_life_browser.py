"""记录组织生活 in a real headless Chromium, as district staff, with the KEYBOARD only: 党组织 in the
navigation → the organization → 记录组织生活 → 党课, the date (today), the topic, two attendees picked by
typing and arrow keys → an attendance above the members is shown beside its field → fixed →
saved → listed on the organization page. Then every form of this work is screenshotted (desktop,
and the life record at 390 px, where nothing scrolls sideways)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from instructors.models import FirstSecretaryAppointment, Stipend, Training
from organizations.choices import OrgLifeKind
from organizations.models import ExcellenceSystem, OrgLifeRecord
from tests.browser import login, needs_chromium, screenshot, tab_to
from tests.factories import InstructorFactory, PartyMemberFactory, PartyOrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _enter_link(page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.focus()
    page.keyboard.press("Enter")


def test_district_staff_record_a_party_lesson_with_the_keyboard_only(live_server, browser_page, taishan, daiyue):
    org = PartyOrganizationFactory(name="泰山科技党支部", region=taishan, established_on=dt.date(2020, 7, 1))
    for name in ("张红", "张军", "李明"):
        PartyMemberFactory(name=name, organization=org, region=taishan)
    PartyMemberFactory(name="张外", region=taishan)  # not of this organization: never offered
    PartyMemberFactory(name="张岱", region=daiyue)
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    base = live_server.url
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, base, "taishan_staff")

    page.get_by_role("navigation").get_by_role("link", name="党组织", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/organizations/")
    _enter_link(page, "泰山科技党支部")
    page.wait_for_url(f"{base}{org.get_absolute_url()}")
    _enter_link(page, "记录组织生活")
    page.wait_for_url(f"{base}/organizations/{org.pk}/life/new/")
    screenshot(page, "life_create")

    tab_to(page, "id_kind")
    for _ in range(4):  # —— , 支部党员大会, 支委会, 党小组会, 党课
        page.keyboard.press("ArrowDown")
    assert page.locator("#id_kind").input_value() == OrgLifeKind.PARTY_LESSON
    # 日期 starts at today (the order of its parts follows the browser's locale; kept as it is)
    assert page.locator("#id_held_on").input_value() == timezone.localdate().isoformat()
    tab_to(page, "id_topic")
    page.keyboard.type("学习新修订的党章")
    tab_to(page, "id_attendees-search")
    listbox = page.locator("#id_attendees-listbox")
    page.keyboard.type("张", delay=40)
    expect(listbox.get_by_role("option")).to_have_count(2)  # 张红, 张军: not 张外 nor 岱岳区's 张岱
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.type("李", delay=40)
    expect(listbox.get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert len(page.locator("select[name=attendees] option:checked").all()) == 2
    tab_to(page, "id_attendance")
    page.keyboard.type("5")  # more than the 3 members
    page.keyboard.press("Enter")

    page.wait_for_load_state()
    expect(page.locator("#attendance-errors")).to_contain_text("实到人数不能超过本党组织党员人数（3人）")
    assert page.evaluate("document.activeElement.id") == "id_attendance"
    screenshot(page, "life_create_error")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{base}{org.get_absolute_url()}#life")
    expect(page.locator(".messages li.success")).to_contain_text("已记录组织生活")
    record = OrgLifeRecord.objects.get()
    assert record.kind == OrgLifeKind.PARTY_LESSON and record.held_on == timezone.localdate()
    names = sorted(m.name for m in record.attendees.all())
    assert len(names) == 2 and "李明" in names and names[0].startswith("张") and "张外" not in names
    assert record.attendance == 2
    expect(page.locator("#life ~ .table-scroll").first).to_contain_text("学习新修订的党章")
    expect(page.locator("#life ~ .table-scroll").first).to_contain_text("党课")
    screenshot(page, "life_listed_on_organization")
    assert problems == []


def test_every_form_of_life_excellence_and_instructor_records_is_screenshotted(live_server, browser_page, taishan):
    org = PartyOrganizationFactory(name="泰山科技党支部", region=taishan)
    members = [PartyMemberFactory(name=f"党员{i}", organization=org, region=taishan) for i in range(3)]
    record = OrgLifeRecord.objects.create(
        organization=org, kind=OrgLifeKind.THEME_DAY, held_on=dt.date(2025, 5, 1), topic="主题党日", attendance=2
    )
    record.attendees.set(members[:2])
    system = ExcellenceSystem.objects.create(organization=org, name="党员先锋岗制度", adopted_on=dt.date(2024, 3, 1))
    instructor = InstructorFactory(name="王指导", region=taishan)
    appointment = FirstSecretaryAppointment.objects.create(
        organization=org, name="李书记", start_on=dt.date(2024, 1, 1)
    )
    training = Training.objects.create(
        title="书记培训",
        audience="SECRETARY",
        region=taishan,
        held_on=dt.date(2024, 5, 1),
        hours=4,
        participant_count=9,
    )
    stipend = Stipend.objects.create(instructor=instructor, year=2024, month=5, amount=800)
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    base = live_server.url
    page = browser_page
    login(page, base, "taishan_staff")
    pages = {
        "organization_detail": org.get_absolute_url(),
        "life_update": f"/organizations/life/{record.pk}/edit/",
        "life_void": f"/organizations/life/{record.pk}/void/",
        "excellence_create": f"/organizations/{org.pk}/excellence/new/",
        "excellence_update": f"/organizations/excellence/{system.pk}/edit/",
        "excellence_end": f"/organizations/excellence/{system.pk}/end/",
        "first_secretary_list": "/instructors/first-secretaries/",
        "first_secretary_create": "/instructors/first-secretaries/new/",
        "first_secretary_update": f"/instructors/first-secretaries/{appointment.pk}/edit/",
        "first_secretary_end": f"/instructors/first-secretaries/{appointment.pk}/end/",
        "training_list": "/instructors/trainings/",
        "training_create": "/instructors/trainings/new/",
        "training_update": f"/instructors/trainings/{training.pk}/edit/",
        "stipend_list": "/instructors/stipends/",
        "stipend_create": "/instructors/stipends/new/",
        "stipend_update": f"/instructors/stipends/{stipend.pk}/edit/",
    }
    for name, path in pages.items():
        assert page.goto(f"{base}{path}").status == 200, name
        screenshot(page, f"records_{name}")
    # the life record form and the organization page on a phone
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in {
        "life_create": f"/organizations/{org.pk}/life/new/",
        "life_update": f"/organizations/life/{record.pk}/edit/",
        "organization_detail": org.get_absolute_url(),
    }.items():
        page.goto(f"{base}{path}")
        screenshot(page, f"records_390_{name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.goto(f"{base}/organizations/{org.pk}/life/new/")
    box = page.get_by_role("button", name="保存", exact=True).bounding_box()
    assert box and box["height"] >= 44
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "records_390_life_create_error")
