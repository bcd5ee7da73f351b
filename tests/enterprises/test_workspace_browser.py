"""The staff workspace in a real headless Chromium, as district staff, with the KEYBOARD only:
企业 → 新增企业 → fill the form (Tab, typing, arrow keys in the pickers, Enter) → an invalid credit
code is shown beside its field with the focus on it → fix → saved → the enterprise page with a
success message. Then the forms at 390 px (a phone): no horizontal scrolling. Every form is
screenshotted to var/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enterprises.models import Enterprise
from portal.choices import RegionLevel
from tests.browser import login, needs_chromium, screenshot, tab_to
from tests.factories import CarrierFactory, EnterpriseFactory, UserFactory, make_credit_code, region

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _pick(page, combobox_id: str, text: str, expected: list[str]) -> None:
    tab_to(page, combobox_id)
    page.keyboard.type(text, delay=40)
    listbox = page.locator(f"#{combobox_id.removesuffix('-search')}-listbox")
    expect(listbox.get_by_role("option")).to_have_text(expected)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def test_district_staff_add_an_enterprise_with_the_keyboard_only(live_server, browser_page, taishan, daiyue):
    street = region("370902001000", "泰前街道", RegionLevel.STREET, taishan)
    CarrierFactory(name="泰山高新技术产业园", region=taishan)
    CarrierFactory(name="岱岳高新技术产业园", region=daiyue)
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    good = make_credit_code(4242)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    base = live_server.url

    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, base, "taishan_staff")

    page.get_by_role("navigation").get_by_role("link", name="企业", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/enterprises/")
    page.get_by_role("link", name="新增企业").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/enterprises/new/")
    screenshot(page, "workspace_enterprise_create")

    tab_to(page, "id_credit_code")
    page.keyboard.type(bad)
    tab_to(page, "id_name")
    page.keyboard.type("泰安键盘录入有限公司")
    tab_to(page, "id_kind")
    page.keyboard.press("ArrowDown")  # the first kind
    _pick(page, "id_region-search", "泰前", ["泰前街道街道乡镇 · 泰山区"])
    _pick(page, "id_carrier-search", "高新", ["泰山高新技术产业园园区 · 泰山区"])  # not 岱岳区's
    assert page.locator("select[name=region]").input_value() == str(street.pk)
    assert page.locator("#id_carrier-search").input_value() == "泰山高新技术产业园"  # 岱岳区's is never offered
    tab_to(page, "id_employee_count")
    page.keyboard.type("25")
    page.keyboard.press("Enter")  # implicit submission

    page.wait_for_load_state()
    beside = page.locator("#credit_code-errors")
    expect(beside).to_contain_text("校验位不符")
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "id_credit_code"  # focus on the first error
    assert page.locator("#id_carrier-search").input_value() == "泰山高新技术产业园"  # kept
    screenshot(page, "workspace_enterprise_create_error")

    page.keyboard.press("Control+A")
    page.keyboard.type(good)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/enterprises/\d+/$"))
    enterprise = Enterprise.objects.get(credit_code=good)
    assert page.url == f"{base}{enterprise.get_absolute_url()}"
    expect(page.locator(".messages li.success")).to_contain_text("已新增：泰安键盘录入有限公司")
    assert enterprise.region == street and enterprise.carrier.name == "泰山高新技术产业园"
    assert enterprise.employee_count == 25
    screenshot(page, "workspace_enterprise_saved")
    assert problems == []


def test_workspace_forms_fit_a_390px_phone(live_server, browser_page, taishan):
    UserFactory(username="taishan_staff", jurisdiction=taishan)
    carrier = CarrierFactory(name="泰山高新技术产业园", region=taishan)
    enterprise = EnterpriseFactory(region=taishan, carrier=carrier, name="泰安手机测试有限公司")
    base = live_server.url
    page = browser_page
    login(page, base, "taishan_staff")
    page.set_viewport_size({"width": 390, "height": 844})
    pages = {
        "enterprise_list": "/enterprises/",
        "enterprise_detail": enterprise.get_absolute_url(),
        "enterprise_create": "/enterprises/new/",
        "enterprise_update": f"/enterprises/{enterprise.pk}/edit/",
        "enterprise_deregister": f"/enterprises/{enterprise.pk}/deregister/",
        "carrier_list": "/enterprises/carriers/",
        "carrier_detail": carrier.get_absolute_url(),
        "carrier_create": "/enterprises/carriers/new/",
        "carrier_update": f"/enterprises/carriers/{carrier.pk}/edit/",
        "carrier_end": f"/enterprises/carriers/{carrier.pk}/end/",
    }
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, f"workspace_390_{name}")
        assert width <= 390, f"{name} scrolls sideways: {width}px"
    # the submit button is a large touch target
    page.goto(f"{base}/enterprises/new/")
    box = page.get_by_role("button", name="保存", exact=True).bounding_box()
    assert box and box["height"] >= 44

    # an error at 390 px still fits
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "workspace_390_enterprise_create_error")
