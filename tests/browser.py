"""Headless Chromium for browser tests (Debian's chromium, driven by Playwright for Python)."""

from __future__ import annotations

import os
import pathlib

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
SCREENSHOTS = pathlib.Path(__file__).resolve().parent.parent / "var" / "screenshots"

needs_chromium = pytest.mark.skipif(not pathlib.Path(CHROMIUM).exists(), reason="Chromium is not installed")


@pytest.fixture
def browser_page():
    """A fresh Chromium page; closed with its browser after the test."""
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; Django's async-safety check would refuse the
    # ORM calls the test itself makes around the browser.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        try:
            yield page
        finally:
            browser.close()
            # ORM calls made while Playwright's loop runs get their own connection (Django keys
            # connections by async context): close it, or the test database cannot be dropped.
            from django.db import connections

            connections.close_all()


def screenshot(page, name: str) -> pathlib.Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


PASSWORD = "Portal-test-2026!"  # tests.factories.UserFactory's password


def login(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page and land on the home page."""
    page.goto(f"{base}/accounts/login/?next=/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def tab_to(page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")
