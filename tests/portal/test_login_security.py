"""Login and session: lockout through the real login form, CSRF everywhere, session expiry on
inactivity, security headers and CSP, password strength, the client's address."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone

from portal.checks import field_encryption_key_check
from portal.choices import Role
from portal.middleware import client_ip
from tests.factories import PartyMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Portal-test-2026!"
LOGIN = "/accounts/login/"


def _attempt(client: Client, username: str, password: str, ip: str = "203.0.113.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- lockout -----------------------------------------------------------------------------------


def test_repeated_failed_logins_lock_the_user_out_at_that_address(staff):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _attempt(client, staff.username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()

    locked = _attempt(client, staff.username, "wrong-password")
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()

    # Now even the right password is refused from that address ...
    again = _attempt(client, staff.username, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # ... while the same user from another address, and another user from this one, still get in.
    assert _attempt(Client(), staff.username, PASSWORD, ip="198.51.100.7").status_code == 302
    other = UserFactory(username="other_staff", role=Role.DISTRICT_STAFF)
    assert _attempt(Client(), other.username, PASSWORD).status_code == 302


def test_a_successful_login_before_the_limit_resets_the_count(staff):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, staff.username, "wrong-password")
    assert _attempt(client, staff.username, PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(Client(), staff.username, "wrong-password").status_code == 200


def test_the_lockout_counts_the_address_behind_a_trusted_proxy(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = Client().post(
            LOGIN,
            {"username": staff.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert response.status_code == 429
    # Another client behind the same proxy is not locked out.
    response = Client().post(
        LOGIN,
        {"username": staff.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert response.status_code == 302


# --- CSRF --------------------------------------------------------------------------------------


def test_csrf_is_enforced_on_login_reveal_logout_and_session_api_writes(staff, taishan):
    member = PartyMemberFactory(region=taishan, phone="13812345678")
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": staff.username, "password": PASSWORD}).status_code == 403

    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/organizations/members/{member.pk}/reveal/").status_code == 403
    assert client.patch(f"/api/v1/members/{member.pk}/", data="{}", content_type="application/json").status_code == 403
    assert client.post("/accounts/logout/").status_code == 403

    # With the token from the page, the same POST goes through.
    page = client.get(f"/organizations/members/{member.pk}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(f"/organizations/members/{member.pk}/reveal/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 200


# --- session expiry ----------------------------------------------------------------------------


def test_the_session_expires_after_thirty_minutes_without_activity(staff):
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    start = timezone.now()

    def at(minutes: int):
        return mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(minutes=minutes))

    with at(20):
        assert client.get("/").status_code == 200
    with at(45):  # 25 minutes after the last request: still signed in, activity extended it
        assert client.get("/").status_code == 200
    with at(45 + 31):  # 31 minutes of silence
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


# --- headers -----------------------------------------------------------------------------------


def test_pages_carry_csp_and_security_headers(staff):
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_and_the_api_carry_the_policy_too():
    assert "script-src 'self'" in Client().get(LOGIN)["Content-Security-Policy"]
    assert "Content-Security-Policy" in Client().get("/api/v1/")


def test_templates_hold_no_inline_script_handler_or_style_the_policy_would_block():
    """CSP allows only the portal's own script files: no <script> bodies, no on*= handlers, no
    style attributes or <style> blocks in any template."""
    offending = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=\s*[\"']|\sstyle\s*=\s*[\"']|<style\b", re.I)
    found = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if offending.search(line):
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()[:100]}")
    assert not found, "inline code the Content Security Policy blocks:\n" + "\n".join(found)


def test_the_browsable_api_is_off_outside_debug():
    renderers = settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    assert renderers == ["rest_framework.renderers.JSONRenderer"]


# --- passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["short1A!", "alllowercaseletters", "1234567890123", "password123", "abcdefghij12"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_long_mixed_password_is_accepted():
    validate_password("Dangjian-Portal-2026")


# --- the client's address ----------------------------------------------------------------------


def test_client_ip_trusts_forwarded_for_only_as_far_as_the_configured_proxies(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the spoofable left part is ignored
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")) == "10.0.0.1"
    assert client_ip(factory.get("/", REMOTE_ADDR="garbage")) is None


def test_refusals_are_explained_in_chinese(staff):
    client = Client(enforce_csrf_checks=True)
    assert "安全校验" in client.post(LOGIN, {"username": "x", "password": "y"}).content.decode()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert "无权" in client.get("/audit/").content.decode()


def test_the_deploy_check_refuses_a_short_or_reused_encryption_key(settings):
    settings.FIELD_ENCRYPTION_KEY = "short"
    assert [w.id for w in field_encryption_key_check(None)] == ["portal.W001"]
    settings.FIELD_ENCRYPTION_KEY = settings.SECRET_KEY
    assert [w.id for w in field_encryption_key_check(None)] == ["portal.W002"]
    settings.FIELD_ENCRYPTION_KEY = "k" * 48
    assert field_encryption_key_check(None) == []
