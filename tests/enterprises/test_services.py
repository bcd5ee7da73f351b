"""The register-import services check the capability themselves (the page, the API and the command
get the same answer), and the apply decides by exception type what a caller did wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises import services
from enterprises.choices import ImportSource, ImportStatus
from enterprises.models import Enterprise, RegisterImport
from portal.choices import Role
from tests.enterprises.helpers import validate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "无权导入名单"


@pytest.fixture
def leader(taian):
    return UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taian["泰山区"])


@pytest.fixture
def preview(register_files, taishan_importer) -> RegisterImport:
    return validate(register_files.clean_csv, taishan_importer)


def test_a_leader_cannot_upload_a_register(register_files, leader):
    upload = SimpleUploadedFile("名单.csv", register_files.clean_csv.read_bytes())
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.register_import_create(uploaded_file=upload, source=ImportSource.REGISTRATION, acting_user=leader)
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.register_import_create_from_path(
            path=register_files.clean_csv, source=ImportSource.REGISTRATION, acting_user=leader
        )
    assert not RegisterImport.objects.exists()


def test_a_leader_cannot_preview_a_register(register_files, leader):
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.register_import_preview(
            path=register_files.clean_csv, source=ImportSource.REGISTRATION, acting_user=leader
        )


def test_a_leader_cannot_confirm_an_import(preview, leader):
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.register_import_confirm(register_import=preview, acting_user=leader, enqueue=False)
    preview.refresh_from_db()
    assert (preview.status, preview.confirmed_by) == (ImportStatus.VALIDATED, None)


def test_a_leader_cannot_cancel_an_import(preview, leader):
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.register_import_cancel(register_import=preview, acting_user=leader)
    preview.refresh_from_db()
    assert preview.status == ImportStatus.VALIDATED


def test_the_preview_reads_the_file_and_stores_nothing(register_files, taishan_importer):
    outcome = services.register_import_preview(
        path=register_files.clean_csv, source=ImportSource.REGISTRATION, acting_user=taishan_importer
    )
    assert outcome.status == ImportStatus.VALIDATED
    assert any("新增" in line for line in outcome.summary_lines)
    assert not RegisterImport.objects.exists() and not Enterprise.objects.exists()


def test_applying_an_unconfirmed_import_is_refused_and_the_import_is_left_as_it_was(preview):
    with pytest.raises(services.ImportNotApplicable, match="不能导入"):
        services.register_import_apply(register_import_id=preview.pk)
    preview.refresh_from_db()
    assert (preview.status, preview.failure_reason) == (ImportStatus.VALIDATED, "")
    assert not Enterprise.objects.exists()
