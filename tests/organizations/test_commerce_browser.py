"""Commerce-bureau staff work on the enterprise register only: in a real headless Chromium they
find no way to any party member or organization form — not in the navigation, not on an
enterprise's page — and typing a form's address answers the portal's Chinese 403 page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.choices import Role
from tests.browser import needs_chromium, screenshot
from tests.factories import EnterpriseFactory, PartyMemberFactory, UserFactory

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PASSWORD = "Portal-test-2026!"
MEMBER_ACTIONS = ("登记党员", "记录走访", "组建党组织", "派驻指导员")


def test_commerce_staff_cannot_reach_any_member_form(live_server, browser_page, taishan):
    UserFactory(username="commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan, password=PASSWORD)
    enterprise = EnterpriseFactory(region=taishan, name="泰安工商测试有限公司", employee_count=80)
    member = PartyMemberFactory(workplace=enterprise, region=taishan)
    page, base = browser_page, live_server.url

    page.goto(f"{base}/accounts/login/?next=/")
    page.fill("#id_username", "commerce")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
    nav = page.locator("nav.mainnav").inner_text()
    assert "企业" in nav
    assert "党员" not in nav and "党组织" not in nav and "指导员" not in nav

    page.click("nav.mainnav >> text=企业")
    page.click(f"text={enterprise.name}")
    page.wait_for_url(f"{base}{enterprise.get_absolute_url()}")
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    for action in MEMBER_ACTIONS:
        assert action not in body, action
    assert member.name not in body
    screenshot(page, "commerce_enterprise_page")

    for url in (
        reverse("organizations:member-create") + f"?enterprise={enterprise.pk}",
        reverse("organizations:survey-visit") + f"?enterprise={enterprise.pk}",
        reverse("organizations:create") + f"?formation=STANDALONE&enterprise={enterprise.pk}",
        reverse("organizations:member-update", args=[member.pk]),
        reverse("instructors:dispatch") + f"?enterprise={enterprise.pk}",
    ):
        response = page.goto(base + url)
        assert response is not None and response.status == 403, url
        assert "无权" in page.inner_text("body") or "没有权限" in page.inner_text("body"), url
    screenshot(page, "commerce_member_form_refused")
