"""A newcomer's first minutes in a real browser: log in to the seeded demo city and browse it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from demo.seeding import DEMO_PASSWORD
from enterprises.models import Enterprise
from tests.browser import needs_chromium, screenshot

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_staff_logs_in_and_browses_their_district_only(live_server, browser_page):
    call_command("seed_demo", enterprises=400)
    page = browser_page
    page.goto(f"{live_server.url}/enterprises/")
    assert "/accounts/login/" in page.url  # anonymous users are sent to the login page
    login(page, live_server, "taishan_staff")
    assert "工作台" in page.content()
    screenshot(page, "home")

    page.click("nav >> text=企业")
    page.wait_for_selector("table.table tbody tr")
    screenshot(page, "enterprise_list")
    rows = page.locator("table.table tbody tr")
    assert rows.count() > 0
    regions = set(page.locator("table.table tbody tr td:nth-child(5)").all_inner_texts())
    taishan_streets = set(
        Enterprise.objects.filter(region__path__startswith="370900/370902/").values_list("region__name", flat=True)
    )
    assert regions <= taishan_streets  # only 泰山区's streets

    rows.first.locator("a").first.click()
    page.wait_for_selector("dl.facts")
    assert "统一社会信用代码" in page.content()
    screenshot(page, "enterprise_detail")

    # An enterprise of another district answers 404 even with its exact URL.
    other = Enterprise.objects.exclude(region__path__startswith="370900/370902/").first()
    response = page.goto(f"{live_server.url}/enterprises/{other.pk}/")
    assert response.status == 404
