"""Helpers for register-import tests: drive the services the way the task and the command do, and
read the register generator's own rows and injected faults (demo.registers) for exact expectations."""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.test import TestCase

from demo import registers
from enterprises import services
from enterprises.choices import ImportSource
from enterprises.models import RegisterImport


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


def generated(n: int, *, seed: int = registers.DEFAULT_SEED) -> list[registers.RegisterEntry]:
    """The first n enterprises the generator writes (the clean rows of an n-row register)."""
    return list(itertools.islice(registers.enterprises(seed=seed), n))


def norm_code(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


@dataclass
class Expected:
    """What a messy registration list of n rows must give, from the generator's rows and faults."""

    rows: list[list]  # the messy data rows, as written
    truth: registers.RegisterTruth
    rejected: set[int]  # data-row indexes (1-based)
    pending: set[int]
    warned: set[int]

    @property
    def faults(self) -> dict[str, list[int]]:
        return self.truth.faults

    @property
    def stored(self) -> int:
        return len(self.rows) - len(self.rejected) - len(self.pending)


def expected_messy(n: int, *, list_kind: str = registers.REGISTRATION) -> Expected:
    """The importer's reading of the faults: a blank required cell and every row sharing a credit
    code are rejected; a failing check character waits for confirmation; text in the employee
    column is a warning; the other faults are only spelling and are repaired. A blank 所属区县 is
    read from the credit code's registering-authority code (characters 3–8, the generator's
    district code): the row is kept, with a warning, for a city-wide importer."""
    truth = registers.RegisterTruth(list_kind=list_kind, data_rows=n, header_row=2)
    rows = list(registers.messy_rows(registers.clean_rows(n, list_kind=list_kind), truth))
    duplicated = set(truth.duplicate_of) | set(truth.duplicate_of.values())
    district = registers.HEADERS[list_kind].index("所属区县")
    blanked = truth.rows_with("blank_required")
    district_from_code = {i for i in blanked if rows[i - 1][district] is None} - duplicated
    rejected = (blanked - district_from_code) | duplicated
    pending = truth.rows_with("bad_check_char") - rejected
    warned = pending | truth.rows_with("text_in_number") | district_from_code
    return Expected(rows=rows, truth=truth, rejected=rejected, pending=pending, warned=warned)
