"""系统管理 in a real headless Chromium, with the KEYBOARD only: a city administrator goes
系统管理 → 用户 → 新增用户, fills the form (Tab, typing, the region picker with arrow keys, Enter), a
mismatched password confirmation is shown beside its field, fixed, saved → the user's page → the
user is in the list. Then every administration page is screenshotted (var/screenshots/manage_*)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.choices import RegionLevel, Role
from portal.models import User
from tests.browser import login, needs_chromium, screenshot, tab_to
from tests.factories import EnterpriseFactory, UserFactory, city, region

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Keyboard-only-2026#"


def test_a_city_administrator_adds_a_user_with_the_keyboard_only(live_server, browser_page, taishan, daiyue):
    UserFactory(username="city_admin", full_name="市管理员", role=Role.CITY_ADMIN, jurisdiction=city())
    base = live_server.url
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, base, "city_admin")

    section = page.get_by_role("group", name="系统管理")
    expect(section).to_contain_text("用户")
    section.get_by_role("link", name="用户", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/manage/users/")
    page.get_by_role("link", name="新增用户").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/manage/users/new/")
    screenshot(page, "manage_user_create")

    tab_to(page, "id_username")
    page.keyboard.type("keyboard_staff")
    tab_to(page, "id_full_name")
    page.keyboard.type("键盘录入")
    tab_to(page, "id_role")
    page.keyboard.press("ArrowDown")  # no role is preselected: 请选择 → 市级管理员 → 区县组织部工作人员
    page.keyboard.press("ArrowDown")
    assert page.input_value("#id_role") == Role.DISTRICT_STAFF
    tab_to(page, "id_jurisdiction-search")
    page.keyboard.type("泰山", delay=40)
    listbox = page.locator("#id_jurisdiction-listbox")
    expect(listbox.get_by_role("option")).to_have_count(1)  # 岱岳区 is not 泰山
    expect(listbox.get_by_role("option")).to_contain_text("泰山区")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    tab_to(page, "id_password")
    page.keyboard.type(NEW_PASSWORD)
    tab_to(page, "id_password_confirm")
    page.keyboard.type("Something-else-1")
    page.keyboard.press("Enter")  # implicit submission

    page.wait_for_load_state()
    expect(page.locator("#password_confirm-errors")).to_contain_text("两次输入的密码不一致")
    expect(page.locator("#error-summary")).to_be_visible()
    screenshot(page, "manage_user_create_error")

    tab_to(page, "id_password")
    page.keyboard.type(NEW_PASSWORD)
    tab_to(page, "id_password_confirm")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/manage/users/\d+/$"))
    user = User.objects.get(username="keyboard_staff")
    assert user.jurisdiction == taishan and user.full_name == "键盘录入" and user.check_password(NEW_PASSWORD)
    assert user.role == Role.DISTRICT_STAFF
    expect(page.locator(".messages li.success")).to_contain_text("已新增：键盘录入")
    screenshot(page, "manage_user_detail")

    page.get_by_role("link", name="用户", exact=True).first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/manage/users/")
    expect(page.locator("table.table")).to_contain_text("keyboard_staff")
    screenshot(page, "manage_user_list")
    assert problems == []


def test_every_administration_page_renders(live_server, browser_page, taishan, daiyue):
    UserFactory(username="city_admin", full_name="市管理员", role=Role.CITY_ADMIN, jurisdiction=city())
    staff = UserFactory(username="taishan_staff", full_name="泰山同事", jurisdiction=taishan)
    street = region("370902001000", "财源街道", RegionLevel.STREET, taishan)
    region("370902001001", "财源社区", RegionLevel.COMMUNITY, street)
    EnterpriseFactory(region=street)
    base = live_server.url
    page = browser_page
    login(page, base, "city_admin")
    pages = {
        "user_update": f"/manage/users/{staff.pk}/edit/",
        "user_deactivate": f"/manage/users/{staff.pk}/active/",
        "user_reset_password": f"/manage/users/{staff.pk}/password/",
        "region_list": "/manage/regions/",
        "region_list_open_street": f"/manage/regions/?street={street.pk}",
        "region_create": f"/manage/regions/new/?parent={taishan.pk}",
        "region_rename": f"/manage/regions/{street.pk}/rename/",
        "region_move": f"/manage/regions/{street.pk}/move/",
    }
    for name, path in pages.items():
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, name
        screenshot(page, f"manage_{name}")

    page.goto(f"{base}/manage/regions/{street.pk}/move/")
    page.select_option("#id_new_parent", str(daiyue.pk))
    page.get_by_role("button", name="下一步").click()
    page.wait_for_load_state()
    expect(page.locator(".move-counts")).to_contain_text("2 个区域（含自身）")
    screenshot(page, "manage_region_move_confirm")
    page.get_by_role("button", name="确认调整").click()
    page.wait_for_url(f"{base}/manage/regions/")
    expect(page.locator(".messages")).to_contain_text("已调整隶属：财源街道")
    street.refresh_from_db()
    assert street.parent == daiyue
    screenshot(page, "manage_region_list_after_move")

    page.goto(f"{base}/manage/users/{staff.pk}/password/")
    page.select_option("#id_password_mode", "generate")
    page.get_by_role("button", name="重置密码").click()
    page.wait_for_url(re.compile(rf"/manage/users/{staff.pk}/$"))
    expect(page.locator(".warning")).to_contain_text("只显示这一次")
    screenshot(page, "manage_user_generated_password")

    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in {"user_list": "/manage/users/", "region_list": "/manage/regions/"}.items():
        page.goto(f"{base}{path}")
        screenshot(page, f"manage_390_{name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
