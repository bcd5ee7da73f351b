"""Helpers for register-import tests: drive the services the way the task and the command do, and
read the generator's own truth (rows and injected faults) for exact expectations."""

from __future__ import annotations

import importlib.util
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.test import TestCase

from enterprises import services
from enterprises.choices import ImportSource
from enterprises.models import RegisterImport
from tests.enterprises.conftest import GENERATOR


def validate(path: Path, user, *, source: str = ImportSource.REGISTRATION) -> RegisterImport:
    register_import = services.register_import_create_from_path(path=path, source=source, acting_user=user)
    return services.register_import_validate(register_import_id=register_import.pk, report_year=2024)


def confirm_and_apply(register_import: RegisterImport, user, *, confirm_warnings: bool = False) -> RegisterImport:
    services.register_import_confirm(
        register_import=register_import, acting_user=user, confirm_warnings=confirm_warnings, enqueue=False
    )
    with TestCase.captureOnCommitCallbacks(execute=True):  # the ledger refresh runs on commit
        return services.register_import_apply(register_import_id=register_import.pk)


def run_import(path: Path, user, *, source: str = ImportSource.REGISTRATION, confirm_warnings: bool = False):
    return confirm_and_apply(validate(path, user, source=source), user, confirm_warnings=confirm_warnings)


def generator():
    spec = importlib.util.spec_from_file_location("gen_register", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def norm_code(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


@dataclass
class Expected:
    """What a --messy file of n rows must give, from the generator's own rows and faults."""

    rows: list[list]
    faults: dict[str, list[int]]
    rejected: set[int]  # data-row indexes (1-based)
    pending: set[int]
    warned: set[int]

    @property
    def stored(self) -> int:
        return len(self.rows) - len(self.rejected) - len(self.pending)


def expected_messy(n: int) -> Expected:
    gen = generator()
    rows_iter, faults = gen.messify(gen.enterprise_rows(n), seed=20240601 + 1)
    rows = list(rows_iter)
    by_code = defaultdict(list)
    for index, row in enumerate(rows, start=1):
        code = norm_code(row[0])
        if code:
            by_code[code].append(index)
    duplicated = {i for indexes in by_code.values() if len(indexes) > 1 for i in indexes}
    blanked = set(faults.get("blank_required", []))
    # A blank 所属区县 is read from the credit code's registering-authority code (characters 3–8,
    # the generator's district code): the row is kept, with a warning, for a city-wide importer.
    district_from_code = {i for i in blanked if rows[i - 1][4] is None} - duplicated
    rejected = (blanked - district_from_code) | duplicated
    pending = set(faults.get("bad_checksum", [])) - rejected
    warned = pending | set(faults.get("text_in_number", [])) | district_from_code
    return Expected(rows=rows, faults=faults, rejected=rejected, pending=pending, warned=warned)
