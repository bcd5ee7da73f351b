"""The ledger in a real browser: the home figures, the district's breakdown with its "not placed
below" line, and the confirmation asked before 上报 (a plain form: the CSP forbids scripts)."""

from __future__ import annotations

import pytest

from assessments import services, snapshots
from assessments.choices import PeriodStatus
from portal.choices import Role
from tests.assessments.world import AS_OF, build_world
from tests.browser import needs_chromium, screenshot
from tests.factories import UserFactory, district, other_district

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def test_staff_sees_lines_that_add_up_and_confirms_before_submitting(live_server, browser_page, client):
    taishan = district()
    other_district()
    build_world()
    snapshots.take_snapshot(as_of=AS_OF)
    staff = UserFactory(username="ledger_staff", role=Role.DISTRICT_STAFF, jurisdiction=taishan)
    staff.set_password("Ledger-pass-2026")
    staff.save()
    period = services.period_create(region=taishan, name="2026年上半年", as_of=AS_OF, acting_user=staff)
    period = services.period_compute(period=period, acting_user=staff)
    period = services.period_check(period=period, acting_user=staff)
    assert period.status == PeriodStatus.CHECKED

    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ledger_staff")
    page.fill("#id_password", "Ledger-pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "在册存续企业" in page.content() and "截至" in page.content()
    screenshot(page, "ledger_home")

    page.goto(f"{live_server.url}/ledger/?region={taishan.code}")
    unplaced = page.locator("tr.unplaced")
    assert "未落实到街道" in unplaced.inner_text()
    screenshot(page, "ledger_dashboard_unplaced")
    unplaced.locator("td.num a").first.click()
    page.wait_for_selector("p.notice")
    assert "未落实到下级" in page.content() or "未落实到街道" in page.content()

    page.goto(f"{live_server.url}/ledger/periods/")
    page.click("text=上报…")
    page.wait_for_selector("input[name=confirm]")
    screenshot(page, "ledger_submit_confirm")
    page.check("input[name=confirm]")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/ledger/periods/")
    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED and period.submitted_by == staff
    assert "已上报 · 锁定" in page.content()


def test_ledger_pages_do_not_scroll_sideways_on_a_phone(live_server, browser_page):
    """At 390 px the wide ledger tables scroll inside themselves; the page never does."""
    taishan = district()
    build_world()
    snapshots.take_snapshot(as_of=AS_OF)
    UserFactory(username="phone_staff", role=Role.DISTRICT_STAFF, jurisdiction=taishan)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "phone_staff")
    page.fill("#id_password", "Portal-test-2026!")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in ("/ledger/", "/ledger/gaps/standalone_due/?live=1", "/ledger/statistics/"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    screenshot(page, "ledger_statistics_390")
