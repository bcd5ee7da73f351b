"""The upload → progress → preview → confirm flow in a real headless Chromium against a live server,
with a real Celery worker running in-process (celery.contrib.testing.worker.start_worker) on the
configured broker. The worker is started only after the upload, so the page is seen waiting with
its progress bar polling the status endpoint, then reloading into the preview."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from enterprises.models import Enterprise, RegisterImport
from portal.choices import Role
from tests.enterprises.helpers import expected_messy
from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Portal-test-2026!"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (/usr/bin/chromium)"),
]


@pytest.fixture
def worker_app(monkeypatch):
    """The project's Celery app, not eager, its queue emptied; the ledger refresh is recorded, and
    the worker thread's database connection closed after each task (so the test database can be
    dropped at the end)."""
    from celery.signals import task_postrun
    from django.db import connections

    from enterprises import services
    from portal.celery import app

    def close_connections(**kwargs):
        connections.close_all()

    refreshed: list[int] = []
    monkeypatch.setattr(services, "request_ledger_refresh", refreshed.append)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    task_postrun.connect(close_connections, weak=False)
    app.refreshed = refreshed
    yield app
    task_postrun.disconnect(close_connections)
    app.conf.task_always_eager = eager


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are
    # still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        yield page
        browser.close()


@pytest.fixture(scope="session")
def close_live_sessions(django_db_setup, django_db_blocker):
    """The session-wide live server and worker threads keep database connections; end the idle ones
    when the session ends, before the test database is dropped. Not after this test: a session
    ended then may be one this thread holds for the next test (Django keys connections by async
    context, and Playwright's loop ran here)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
        )


def test_upload_progress_preview_confirm(
    close_live_sessions, live_server, register_files, taian, worker_app, browser_page, tmp_path
):
    from celery.contrib.testing.worker import start_worker

    UserFactory(username="commerce", role=Role.COMMERCE_STAFF, jurisdiction=taian["泰安市"], password=PASSWORD)
    expected = expected_messy(register_files.rows)
    page = browser_page
    status_polls: list[str] = []
    page.on("request", lambda request: status_polls.append(request.url) if "/status/" in request.url else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "commerce")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=名单导入")
    page.click("text=上传登记名单 / 年检名单")
    page.select_option("select[name=source]", "registration")
    page.set_input_files("input[name=file]", str(register_files.messy_xlsx))
    page.click("text=上传并校验")

    # Waiting for a worker: the progress bar is shown and polls.
    page.wait_for_selector("#import-status")
    assert "已上传" in page.inner_text("#import-status")
    page.wait_for_function("() => document.querySelector('[data-progress]').style.width !== ''")

    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        page.wait_for_selector("#import-counts", timeout=60_000)
        assert status_polls, "the progress bar never polled the status endpoint"
        assert page.inner_text("[data-count=rejected]") == str(len(expected.rejected))
        assert page.inner_text("[data-count=pending]") == str(len(expected.pending))
        assert "统一社会信用代码在本文件中重复" in page.inner_text("#problems")
        shot = tmp_path / "import_preview.png"
        page.screenshot(path=str(shot), full_page=True)
        if os.environ.get("BROWSER_SCREENSHOT_DIR"):
            shutil.copy(shot, Path(os.environ["BROWSER_SCREENSHOT_DIR"]) / shot.name)

        page.check("#id_confirm_warnings")
        page.click("#confirm-button")
        page.wait_for_selector("text=导入结果", timeout=60_000)

    register_import = RegisterImport.objects.get()
    assert register_import.status == "APPLIED"
    assert register_import.confirmed_by.username == "commerce"
    assert Enterprise.objects.count() == expected.stored + len(expected.pending)
    assert "本次新建或更新的企业" in page.content()
    assert worker_app.refreshed == [register_import.pk]
