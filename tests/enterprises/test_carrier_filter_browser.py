"""The 载体 filter of the enterprise list in a real headless Chromium: type part of a park's name,
pick it with the keyboard, and the list narrows to that park's enterprises. The page runs under
the portal's CSP (own static files only), so a blocked script would leave a plain select."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import needs_chromium, screenshot
from tests.factories import CarrierFactory, EnterpriseFactory, UserFactory

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "Portal-test-2026!"


def test_a_park_picked_by_keyboard_narrows_the_enterprise_list(live_server, browser_page, taishan, daiyue):
    park = CarrierFactory(name="泰山高新技术产业园", region=taishan)
    other_park = CarrierFactory(name="泰山商务中心楼宇", region=taishan)
    CarrierFactory(name="岱岳高新技术产业园", region=daiyue)  # another district's: never offered
    in_park = {EnterpriseFactory(region=taishan, carrier=park, name=f"园区企业{n}有限公司").name for n in range(3)}
    EnterpriseFactory(region=taishan, carrier=other_park, name="楼宇企业有限公司")
    EnterpriseFactory(region=taishan, name="街道企业有限公司")
    UserFactory(username="taishan_staff", jurisdiction=taishan)

    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/?next=/enterprises/")
    page.fill("#id_username", "taishan_staff")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/enterprises/")
    assert page.locator("table.table tbody tr").count() == 5

    box = page.get_by_role("combobox", name="载体")
    assert box.is_visible()
    assert not page.locator("select[name=carrier]").is_visible()  # the plain select, enhanced
    box.click()
    box.press_sequentially("高新", delay=50)
    options = page.get_by_role("listbox", name="载体").get_by_role("option")
    expect(options).to_have_text(["泰山高新技术产业园园区 · 泰山区"])  # 岱岳区's park is not offered
    assert box.get_attribute("aria-expanded") == "true"
    screenshot(page, "carrier_filter_open")

    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Enter")  # picks the park
    assert box.input_value() == "泰山高新技术产业园"
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator("select[name=carrier]").input_value() == str(park.pk)
    box.press("Enter")  # the list is closed: Enter submits the filter form
    page.wait_for_url(f"**/enterprises/?*carrier={park.pk}*")

    names = set(page.locator("table.table tbody tr td:first-child").all_inner_texts())
    assert names == in_park
    assert page.get_by_role("combobox", name="载体").input_value() == "泰山高新技术产业园"  # kept after reload
    screenshot(page, "carrier_filter_applied")

    # Esc closes the list and keeps the choice; emptying the box clears the filter.
    box = page.get_by_role("combobox", name="载体")
    box.click()
    box.fill("商务")
    expect(page.get_by_role("listbox", name="载体").get_by_role("option")).to_have_count(1)
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.fill("")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert page.locator("table.table tbody tr").count() == 5
    assert problems == []
