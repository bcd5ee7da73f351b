"""Personal data: masked everywhere by default, revealed only with REVEAL_PERSONAL, every reveal
and every export logged; commerce-bureau staff never see members at all."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token

from organizations.models import PartyMember
from portal import fields
from portal.choices import AccessKind, Role
from portal.middleware import ExportAccessLogMiddleware
from portal.models import AccessLog
from portal.scoping import region_visible_to
from portal.services import export_logged, personal_data_reveal
from tests.factories import (
    EnterpriseFactory,
    InstructorFactory,
    PartyMemberFactory,
    PartyOrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _api(user) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"authorization": f"Token {token.key}"})


@pytest.fixture
def member(taishan):
    return PartyMemberFactory(region=taishan, name="王五", id_number=ID_NUMBER, phone=PHONE)


@pytest.fixture
def leader(taishan):
    return UserFactory(username="leader", role=Role.LEADER, jurisdiction=taishan)


# --- masked by default -------------------------------------------------------------------------


def test_the_detail_page_masks_id_number_and_phone_and_offers_the_reveal_button(staff, member):
    html = _signed_in(staff).get(f"/organizations/members/{member.pk}/").content.decode()
    assert "**************002X" in html and "*******5678" in html
    assert ID_NUMBER not in html and PHONE not in html
    assert "查看完整信息" in html
    assert AccessLog.objects.count() == 0


def test_a_leader_sees_masked_values_and_no_reveal_button(leader, member):
    html = _signed_in(leader).get(f"/organizations/members/{member.pk}/").content.decode()
    assert "**************002X" in html and ID_NUMBER not in html
    assert "查看完整信息" not in html


def test_the_member_list_never_shows_personal_data(staff, member):
    html = _signed_in(staff).get("/organizations/members/").content.decode()
    assert "王五" in html and ID_NUMBER not in html and PHONE not in html


def test_the_api_returns_masked_values_only(leader, member):
    detail = _api(leader).get(f"/api/v1/members/{member.pk}/").json()
    assert detail["id_number_masked"] == "**************002X"
    assert detail["phone_masked"] == "*******5678"
    assert "id_number" not in detail and "phone" not in detail
    listing = _api(leader).get("/api/v1/members/").content.decode()
    assert ID_NUMBER not in listing and PHONE not in listing


# --- reveal ------------------------------------------------------------------------------------


def test_revealing_on_the_page_shows_clear_values_and_writes_the_access_log(staff, member):
    response = _signed_in(staff).post(f"/organizations/members/{member.pk}/reveal/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    html = response.content.decode()
    assert ID_NUMBER in html and PHONE in html
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.target, log.ip) == (
        staff,
        AccessKind.REVEAL,
        f"organizations.partymember:{member.pk}",
        "10.9.8.7",
    )
    assert log.detail["fields"] == ["id_number", "phone"]
    assert ID_NUMBER not in str(log.detail) and PHONE not in str(log.detail)


def test_revealing_an_instructors_phone_is_logged_too(staff, taishan):
    instructor = InstructorFactory(region=taishan, phone="13912345678")
    client = _signed_in(staff)
    assert "*******5678" in client.get(f"/instructors/{instructor.pk}/").content.decode()
    html = client.post(f"/instructors/{instructor.pk}/reveal/").content.decode()
    assert "13912345678" in html
    assert AccessLog.objects.get().target == f"instructors.instructor:{instructor.pk}"


def test_a_leader_may_not_reveal_and_nothing_is_logged(leader, member):
    assert _signed_in(leader).post(f"/organizations/members/{member.pk}/reveal/").status_code == 403
    assert AccessLog.objects.count() == 0


def test_revealing_a_member_of_another_district_answers_404_and_logs_nothing(outsider, member):
    assert _signed_in(outsider).post(f"/organizations/members/{member.pk}/reveal/").status_code == 404
    assert AccessLog.objects.count() == 0


def test_a_get_on_the_reveal_url_is_refused(staff, member):
    assert _signed_in(staff).get(f"/organizations/members/{member.pk}/reveal/").status_code == 405
    assert AccessLog.objects.count() == 0


def test_the_api_reveal_action_returns_clear_values_and_logs(staff, member):
    response = _api(staff).post(f"/api/v1/members/{member.pk}/reveal/")
    assert response.status_code == 200
    assert response.json() == {"id": member.pk, "id_number": ID_NUMBER, "phone": PHONE}
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.target) == (staff, AccessKind.REVEAL, f"organizations.partymember:{member.pk}")


def test_an_api_client_without_the_permission_cannot_reveal(taishan, member):
    client_user = UserFactory(username="erp", role=Role.API_CLIENT, jurisdiction=taishan)
    assert _api(client_user).post(f"/api/v1/members/{member.pk}/reveal/").status_code == 403
    assert AccessLog.objects.count() == 0


def test_the_service_checks_permission_scope_and_fields(staff, outsider, leader, member):
    with pytest.raises(PermissionDenied):
        personal_data_reveal(user=leader, obj=member, fields=["id_number"], ip=None)
    with pytest.raises(PartyMember.DoesNotExist):
        personal_data_reveal(user=outsider, obj=member, fields=["id_number"], ip=None)
    with pytest.raises(ValueError, match="name"):
        personal_data_reveal(user=staff, obj=member, fields=["name"], ip=None)
    assert personal_data_reveal(user=staff, obj=member, fields=["phone"], ip="10.0.0.1") == {"phone": PHONE}
    assert AccessLog.objects.count() == 1


# --- exports -----------------------------------------------------------------------------------


def test_export_logged_records_exports_and_demands_the_permission_for_clear_personal_data(staff, leader):
    log = export_logged(user=leader, target="ledger:370902:2026-11-21", row_count=120, ip="10.0.0.2")
    assert (log.kind, log.detail["rows"], log.ip) == (AccessKind.EXPORT, 120, "10.0.0.2")
    with pytest.raises(PermissionDenied):
        export_logged(user=leader, target="members", row_count=3, ip=None, personal_fields=["id_number"])
    export_logged(user=staff, target="members", row_count=3, ip=None, personal_fields=["id_number"], detail={"q": 1})
    assert AccessLog.objects.filter(kind=AccessKind.EXPORT).count() == 2


# --- commerce-bureau staff never see members ---------------------------------------------------


def test_commerce_staff_see_no_member_anywhere(taishan, member):
    commerce = UserFactory(username="gongshang", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    enterprise = EnterpriseFactory(region=taishan)
    member.workplace = enterprise
    member.save()
    org = PartyOrganizationFactory(region=taishan, secretary=member)
    member.organization = org
    member.save()
    client = _signed_in(commerce)

    assert PartyMember.objects.visible_to(commerce).count() == 0
    assert client.get("/organizations/members/").status_code == 403
    assert "王五" not in client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "王五" not in client.get(f"/organizations/{org.pk}/").content.decode()
    assert "王五" not in client.get("/").content.decode()
    assert _api(commerce).get("/api/v1/members/").status_code == 403


def test_users_without_jurisdiction_or_inactive_see_nothing(taishan, member):
    nobody = UserFactory(username="nojur", role=Role.DISTRICT_STAFF, jurisdiction=None)
    inactive = UserFactory(username="gone", role=Role.DISTRICT_STAFF, jurisdiction=taishan, is_active=False)
    assert PartyMember.objects.visible_to(nobody).count() == 0
    assert PartyMember.objects.visible_to(inactive).count() == 0
    assert _signed_in(nobody).get(f"/organizations/members/{member.pk}/").status_code == 404

    assert region_visible_to(inactive).count() == 0


def test_phones_are_found_by_their_keyed_digest_through_the_post_lookups(staff, taishan, member):
    InstructorFactory(region=taishan, name="赵指导", phone="0538-8221234")
    PartyMemberFactory(region=taishan, name="别人", phone="13900000000")
    client = _signed_in(staff)
    html = client.post("/organizations/members/lookup/", {"phone": " 138 1234 5678 "}).content.decode()
    assert "王五" in html and "别人" not in html
    found = _api(staff).post("/api/v1/members/lookup/", {"phone": PHONE}, content_type="application/json")
    assert [m["name"] for m in found.json()["results"]] == ["王五"]
    assert "赵指导" in client.post("/instructors/lookup/", {"phone": "0538-8221234"}).content.decode()
    assert "赵指导" not in client.post("/instructors/lookup/", {"phone": "0538-8221235"}).content.decode()
    instructors = _api(staff).post(
        "/api/v1/instructors/lookup/", {"phone": "0538-8221234"}, content_type="application/json"
    )
    assert [i["name"] for i in instructors.json()["results"]] == ["赵指导"]


def test_a_value_the_key_cannot_decrypt_is_shown_as_such_and_never_overwritten_on_save(taishan, staff):
    member = PartyMemberFactory(region=taishan, name="赵六", id_number=ID_NUMBER, phone=PHONE)
    foreign = fields._fernet("another-deployments-key").encrypt(b"13700000000").decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE organizations_partymember SET phone = %s WHERE id = %s", [foreign, member.pk])
        cursor.execute(
            "SELECT id_number_digest, phone_digest FROM organizations_partymember WHERE id = %s", [member.pk]
        )
        digests_before = cursor.fetchone()

    loaded = PartyMember.objects.get(pk=member.pk)
    assert isinstance(loaded.phone, fields.Undecryptable)
    assert "（无法解密）" in _signed_in(staff).get(f"/organizations/members/{member.pk}/").content.decode()
    loaded.name = "赵六六"
    loaded.save()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number_digest, phone_digest FROM organizations_partymember WHERE id = %s", [member.pk]
        )
        phone, *digests_after = cursor.fetchone()
    assert phone == foreign
    assert tuple(digests_after) == digests_before
    assert PartyMember.objects.get(pk=member.pk).id_number == ID_NUMBER


def test_a_key_change_keeps_data_readable_and_findable_until_rotation_rewrites_it(taishan, staff, settings):
    member = PartyMemberFactory(region=taishan, name="钱七", id_number=ID_NUMBER, phone=PHONE)
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = "a-brand-new-field-encryption-key-0123456789"
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old_key]

    assert PartyMember.objects.get(pk=member.pk).id_number == ID_NUMBER
    found = _signed_in(staff).post("/organizations/members/lookup/", {"id_number": ID_NUMBER}).content.decode()
    assert "钱七" in found

    output = io.StringIO()
    call_command("rotate_personal_data", stdout=output)
    assert "党员：已重新加密 1 条" in output.getvalue()
    settings.FIELD_ENCRYPTION_OLD_KEYS = []

    rotated = PartyMember.objects.get(pk=member.pk)
    assert (rotated.id_number, rotated.phone) == (ID_NUMBER, PHONE)
    assert rotated.id_number_digest == fields.digest(ID_NUMBER)
    assert PartyMember.objects.filter(phone_digest=fields.digest(PHONE)).count() == 1


def test_a_download_its_view_did_not_log_is_logged_once_by_the_safety_net(staff, taishan):
    def view_that_forgets(request):
        response = HttpResponse(b"x")
        response["Content-Disposition"] = 'attachment; filename="b.xlsx"'
        return response

    request = RequestFactory().get("/somewhere/report.xlsx")
    request.user = staff
    ExportAccessLogMiddleware(view_that_forgets)(request)
    log = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert log.user == staff and log.target == "/somewhere/report.xlsx"

    def view_that_logs(request):
        export_logged(user=request.user, target="ledger:test", row_count=1, ip=None)
        response = HttpResponse(b"x")
        response["Content-Disposition"] = 'attachment; filename="a.xlsx"'
        return response

    request = RequestFactory().get("/ledger/export/")
    request.user = staff
    ExportAccessLogMiddleware(view_that_logs)(request)
    assert AccessLog.objects.filter(kind=AccessKind.EXPORT).count() == 2  # not 3
