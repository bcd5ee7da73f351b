"""portal.env: settings from variables, or from the files container secrets are mounted as."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_required, env_str


def test_a_variable_is_read_as_is(monkeypatch):
    monkeypatch.setenv("PORTAL_X", "value")
    assert env_str("PORTAL_X") == "value"


def test_an_unset_variable_gives_the_default(monkeypatch):
    monkeypatch.delenv("PORTAL_X", raising=False)
    monkeypatch.delenv("PORTAL_X_FILE", raising=False)
    assert env_str("PORTAL_X") is None
    assert env_str("PORTAL_X", "fallback") == "fallback"


def test_name_file_is_read_when_the_variable_is_unset(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-from-file\n", encoding="utf-8")
    monkeypatch.delenv("PORTAL_X", raising=False)
    monkeypatch.setenv("PORTAL_X_FILE", str(secret))
    assert env_str("PORTAL_X") == "s3cret-from-file"  # the trailing newline is not part of it
    assert env_required("PORTAL_X") == "s3cret-from-file"


def test_a_file_keeps_inner_whitespace_and_chinese(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("  密钥 with spaces\r\n", encoding="utf-8")
    monkeypatch.setenv("PORTAL_X_FILE", str(secret))
    assert env_str("PORTAL_X") == "  密钥 with spaces"


def test_typed_readers_read_files_too(monkeypatch, tmp_path):
    (tmp_path / "n").write_text("42\n")
    (tmp_path / "b").write_text("true\n")
    (tmp_path / "l").write_text("a, b,,c\n")
    monkeypatch.setenv("PORTAL_N_FILE", str(tmp_path / "n"))
    monkeypatch.setenv("PORTAL_B_FILE", str(tmp_path / "b"))
    monkeypatch.setenv("PORTAL_L_FILE", str(tmp_path / "l"))
    assert env_int("PORTAL_N", 0) == 42
    assert env_bool("PORTAL_B") is True
    assert env_list("PORTAL_L") == ["a", "b", "c"]


def test_setting_both_the_variable_and_its_file_is_an_error(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file")
    monkeypatch.setenv("PORTAL_X", "from-variable")
    monkeypatch.setenv("PORTAL_X_FILE", str(secret))
    with pytest.raises(ImproperlyConfigured, match="PORTAL_X 与 PORTAL_X_FILE 只能设置其一"):
        env_str("PORTAL_X")


def test_an_empty_variable_next_to_a_file_counts_as_unset(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file")
    monkeypatch.setenv("PORTAL_X", "")
    monkeypatch.setenv("PORTAL_X_FILE", str(secret))
    assert env_str("PORTAL_X") == "from-file"


def test_a_missing_file_is_an_error_that_names_it(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_X", raising=False)
    monkeypatch.setenv("PORTAL_X_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="PORTAL_X_FILE"):
        env_str("PORTAL_X")


def test_a_required_secret_missing_from_both_is_an_error(monkeypatch):
    monkeypatch.delenv("PORTAL_X", raising=False)
    monkeypatch.delenv("PORTAL_X_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_X 未设置"):
        env_required("PORTAL_X")


def test_bad_values_are_reported(monkeypatch):
    monkeypatch.setenv("PORTAL_B", "maybe")
    monkeypatch.setenv("PORTAL_N", "many")
    with pytest.raises(ImproperlyConfigured):
        env_bool("PORTAL_B")
    with pytest.raises(ImproperlyConfigured):
        env_int("PORTAL_N", 0)
