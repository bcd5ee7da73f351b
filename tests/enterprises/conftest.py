"""Register-import fixtures: real files written by the project's register generator
(demo.registers, once per session), the six districts of 泰安市 it writes, and importers at city
and district level."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import current_app

from demo.geography import DISTRICT_CODES
from demo.registers import RegisterTruth, write_register
from portal.choices import RegionLevel, Role
from tests.factories import UserFactory, city, region

ROWS = 3000


@dataclass(frozen=True)
class RegisterFiles:
    clean_xlsx: Path
    clean_csv: Path
    messy_xlsx: Path
    messy_csv: Path
    truth: RegisterTruth  # the messy files' faults
    rows: int


@pytest.fixture(scope="session")
def register_files(tmp_path_factory) -> RegisterFiles:
    base = tmp_path_factory.mktemp("registers")
    write_register(base / "clean.xlsx", rows=ROWS)
    write_register(base / "clean.csv", rows=ROWS)
    truth = write_register(base / "messy.xlsx", rows=ROWS, messy=True)
    write_register(base / "messy.csv", rows=ROWS, messy=True)
    return RegisterFiles(
        clean_xlsx=base / "clean.xlsx",
        clean_csv=base / "clean.csv",
        messy_xlsx=base / "messy.xlsx",
        messy_csv=base / "messy.csv",
        truth=truth,
        rows=ROWS,
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def taian(db):
    """泰安市 and its six districts."""
    root = city()
    return {name: region(code, name, RegionLevel.DISTRICT, root) for name, code in DISTRICT_CODES} | {"泰安市": root}


@pytest.fixture
def city_importer(taian):
    """Commerce-bureau staff of the whole city."""
    return UserFactory(username="taian_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taian["泰安市"])


@pytest.fixture
def taishan_importer(taian):
    """Commerce-bureau staff of 泰山区 only."""
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taian["泰山区"])


@pytest.fixture
def ledger_tasks(monkeypatch):
    """Records the ledger-refresh requests instead of sending them to a broker."""
    sent: list[tuple[str, dict]] = []

    monkeypatch.setattr(current_app, "send_task", lambda name, kwargs=None, **kw: sent.append((name, kwargs)))
    return sent
