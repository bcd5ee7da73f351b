"""Settings: importing them starts nothing and writes nothing; production leaves the demo out."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception

from portal import embedded

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "settings-test-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
    "FIELD_ENCRYPTION_KEY": "settings-test-key-0123456789abcdef",
    "ALLOWED_HOSTS": "portal.example.cn",
}


def settings_in_subprocess(env: dict[str, str], *names: str) -> dict:
    """Import portal.settings in a fresh interpreter with exactly `env`; return the named settings."""
    code = (
        "import json, portal.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))"
    )
    base = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_settings_without_database_url_starts_no_server(tmp_path):
    values = settings_in_subprocess({"DEBUG": "true", "PORTAL_VAR_DIR": str(tmp_path)}, "DATABASE_URL")
    # The URL points at where the embedded server would listen, and nothing was created there.
    assert values["DATABASE_URL"] == f"postgres://postgres@/portal?host={tmp_path.resolve() / 'pgdata'}"
    assert list(tmp_path.iterdir()) == []


def test_embedded_url_is_read_from_the_running_server():
    # This test run started the embedded server unless it was given a DATABASE_URL.
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the run uses a real server")
    assert embedded.expected_database_url() == embedded.database_url()


def test_production_settings_leave_the_demo_out(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": "postgres://u@db/portal", "PORTAL_VAR_DIR": str(tmp_path)}
    assert "demo" not in settings_in_subprocess(env, "INSTALLED_APPS")["INSTALLED_APPS"]
    asked = settings_in_subprocess({**env, "PORTAL_DEMO": "true"}, "INSTALLED_APPS")
    assert "demo" in asked["INSTALLED_APPS"]


def test_development_and_tests_have_the_demo(tmp_path):
    env = {"DATABASE_URL": "postgres://u@db/portal", "PORTAL_VAR_DIR": str(tmp_path)}
    assert "demo" in settings_in_subprocess({**env, "DEBUG": "true"}, "INSTALLED_APPS")["INSTALLED_APPS"]
    assert "demo" in settings_in_subprocess({**env, "PORTAL_TESTING": "true"}, "INSTALLED_APPS")["INSTALLED_APPS"]


def test_secrets_are_read_from_mounted_files(tmp_path):
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "secret_key").write_text(PRODUCTION["SECRET_KEY"] + "-from-file\n")
    (secrets / "field_key").write_text("field-key-from-file\n")
    (secrets / "old_keys").write_text("old-one,old-two\n")
    (secrets / "database_url").write_text("postgres://portal:pw@db.internal:5432/portal\n")
    env = {
        "DEBUG": "false",
        "ALLOWED_HOSTS": "portal.example.cn",
        "PORTAL_VAR_DIR": str(tmp_path),
        "SECRET_KEY_FILE": str(secrets / "secret_key"),
        "FIELD_ENCRYPTION_KEY_FILE": str(secrets / "field_key"),
        "FIELD_ENCRYPTION_OLD_KEYS_FILE": str(secrets / "old_keys"),
        "DATABASE_URL_FILE": str(secrets / "database_url"),
    }
    values = settings_in_subprocess(
        env, "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_OLD_KEYS", "DATABASE_URL"
    )
    assert values == {
        "SECRET_KEY": PRODUCTION["SECRET_KEY"] + "-from-file",
        "FIELD_ENCRYPTION_KEY": "field-key-from-file",
        "FIELD_ENCRYPTION_OLD_KEYS": ["old-one", "old-two"],
        "DATABASE_URL": "postgres://portal:pw@db.internal:5432/portal",
    }


@pytest.fixture
def console():
    """What the console handler of settings.LOGGING prints, captured."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_permission_denied_prints_one_line_without_traceback(console, rf):
    response = response_for_exception(rf.get("/enterprises/imports/upload/"), PermissionDenied("无权导入"))
    assert response.status_code == 403
    lines = console.getvalue().splitlines()
    assert len(lines) == 1
    assert "WARNING django.request Forbidden (Permission denied): /enterprises/imports/upload/" in lines[0]


def test_a_server_error_keeps_its_traceback(console):
    try:
        raise ValueError("boom")
    except ValueError as exc:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=exc, extra={"status_code": 500})
    assert "Traceback" in console.getvalue()
