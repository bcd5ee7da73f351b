"""The exact lookup in a real browser: the ID number goes in a POST body, never the address bar."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.choices import AccessKind, Role
from portal.models import AccessLog
from tests.browser import needs_chromium, screenshot
from tests.factories import PartyMemberFactory, UserFactory, district

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "370902198503121237"


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Portal-test-2026!")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_staff_look_a_member_up_by_id_number_and_a_leader_sees_only_the_birth_year(live_server, browser_page):
    taishan = district()
    UserFactory(username="taishan_staff", role=Role.DISTRICT_STAFF, jurisdiction=taishan)
    UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taishan)
    member = PartyMemberFactory(region=taishan, name="孙八", birth_date=dt.date(1985, 3, 12), id_number=ID_NUMBER)
    page = browser_page

    login(page, live_server, "taishan_staff")
    page.goto(f"{live_server.url}/organizations/members/")
    assert "按身份证号/手机号精确查找" in page.content()
    page.fill("#id_id_number", ID_NUMBER)
    page.click("form[action$='/members/lookup/'] button[type=submit]")
    page.wait_for_selector("text=本次查找已记录")
    screenshot(page, "member_lookup")
    assert "孙八" in page.content() and ID_NUMBER not in page.content()
    assert ID_NUMBER not in page.url
    assert AccessLog.objects.get().kind == AccessKind.REVEAL

    page.context.clear_cookies()
    login(page, live_server, "taishan_leader")
    page.goto(f"{live_server.url}/organizations/members/{member.pk}/")
    screenshot(page, "member_detail_leader")
    facts = page.locator("dl.facts").inner_text()
    assert "1985年" in facts and "3月12日" not in facts and "**************1237" in facts
    page.goto(f"{live_server.url}/organizations/members/")
    assert "按身份证号/手机号精确查找" not in page.content()
