"""Every change is attributed (STYLE.md rule 4): bulk imports, API writes by token, form writes;
the attribution never leaks across requests on a persistent connection; history is readable."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db import connection as db
from django.db.backends.signals import connection_created
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from enterprises.models import Enterprise
from organizations.models import PartyMember
from portal.audit import _set, audit_context, current_attribution, reapply_on_new_connection
from portal.choices import AuditAction, AuditVia, Role
from portal.models import AccessLog, AuditEvent
from tests.factories import (
    EnterpriseFactory,
    PartyMemberFactory,
    PartyOrganizationFactory,
    UserFactory,
    city,
    make_credit_code,
)

pytestmark = pytest.mark.django_db


def _events(table: str, **filters):
    return AuditEvent.objects.filter(table_name=table, **filters)


# --- bulk writes -------------------------------------------------------------------------------


def test_a_set_based_upsert_records_one_event_per_row_with_actor_and_old_to_new(staff, taishan):
    kept = EnterpriseFactory(region=taishan, name="旧名称有限公司", employee_count=10)
    new_code = make_credit_code()
    before = AuditEvent.objects.count()

    # What the register import does: one INSERT ... ON CONFLICT DO UPDATE for the whole batch.
    rows = [
        EnterpriseFactory.build(region=taishan, credit_code=kept.credit_code, name="新名称有限公司", employee_count=60),
        EnterpriseFactory.build(region=taishan, credit_code=new_code, name="新登记企业有限公司", employee_count=5),
    ]
    with audit_context(actor_id=staff.pk, via=AuditVia.IMPORT, context="register-import:7"):
        Enterprise.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["credit_code"], update_fields=["name", "employee_count"]
        )

    events = list(_events("enterprises_enterprise").filter(actor=staff))
    assert len(events) == 2 and AuditEvent.objects.count() == before + 2
    assert {e.actor_id for e in events} == {staff.pk}
    assert {e.via for e in events} == {AuditVia.IMPORT}
    assert {e.context for e in events} == {"register-import:7"}
    updated = next(e for e in events if e.action == AuditAction.UPDATE)
    assert updated.object_id == str(kept.pk)
    assert updated.changes == {"name": ["旧名称有限公司", "新名称有限公司"], "employee_count": [10, 60]}
    inserted = next(e for e in events if e.action == AuditAction.INSERT)
    assert inserted.changes["credit_code"] == new_code


def test_bulk_create_and_queryset_update_are_captured_row_by_row(staff, taishan):
    with audit_context(actor_id=staff.pk, via=AuditVia.IMPORT):
        created = Enterprise.objects.bulk_create(
            [EnterpriseFactory.build(region=taishan, employee_count=n) for n in (1, 2, 3)]
        )
        Enterprise.objects.filter(pk__in=[e.pk for e in created]).update(employee_count=50)

    inserts = _events("enterprises_enterprise", action=AuditAction.INSERT, actor=staff)
    updates = _events("enterprises_enterprise", action=AuditAction.UPDATE, actor=staff)
    assert inserts.count() == 3
    assert sorted(e.changes["employee_count"] for e in updates) == [[1, 50], [2, 50], [3, 50]]
    assert {e.via for e in updates} == {AuditVia.IMPORT}


def test_a_write_outside_any_context_is_recorded_as_system_without_actor(taishan):
    enterprise = EnterpriseFactory(region=taishan)
    event = _events("enterprises_enterprise", object_id=str(enterprise.pk)).get()
    assert event.actor_id is None and event.via == AuditVia.SYSTEM


# --- the context itself ------------------------------------------------------------------------


def test_nested_contexts_restore_the_outer_attribution(staff, outsider):
    with audit_context(actor_id=staff.pk, via=AuditVia.WEB, ip="10.0.0.1"):
        with audit_context(actor_id=outsider.pk, via=AuditVia.IMPORT):
            assert current_attribution()[:2] == (outsider.pk, AuditVia.IMPORT)
        assert current_attribution()[:3] == (staff.pk, AuditVia.WEB, "10.0.0.1")
    assert current_attribution() == (None, "", None, "")


def test_a_failed_write_in_a_context_raises_its_own_error_not_a_reset_failure(staff, taishan):
    """A raw statement (the importer's COPY/upsert) that fails leaves the transaction aborted
    without Django knowing: resetting the attribution then must not replace the real error."""
    code = EnterpriseFactory(region=taishan).credit_code
    EnterpriseFactory(region=taishan)
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        audit_context(actor_id=staff.pk, via=AuditVia.IMPORT),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE enterprises_enterprise SET credit_code = %s", [code])
    assert current_attribution() == (None, "", None, "")


def test_a_web_write_is_attributed_and_the_connection_is_clean_afterwards(staff, taishan):
    member = PartyMemberFactory(region=taishan, phone="13812345678")
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"/organizations/members/{member.pk}/reveal/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    # The same (persistent) connection serves the next request: nothing of this one may remain.
    assert current_attribution() == (None, "", None, "")


# --- API writes by token -----------------------------------------------------------------------


def test_an_api_write_with_a_token_is_attributed_to_the_tokens_user_via_api(taishan):
    client_user = UserFactory(username="erp", role=Role.API_CLIENT, jurisdiction=taishan)
    token = Token.objects.create(user=client_user)
    enterprise = EnterpriseFactory(region=taishan, employee_count=10)
    api = Client(headers={"authorization": f"Token {token.key}"})

    response = api.patch(
        f"/api/v1/enterprises/{enterprise.pk}/",
        data={"employee_count": 80},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.10",
    )

    assert response.status_code == 200, response.content
    event = _events("enterprises_enterprise", object_id=str(enterprise.pk), action=AuditAction.UPDATE).get()
    assert event.actor_id == client_user.pk
    assert event.via == AuditVia.API
    assert event.ip == "192.0.2.10"
    assert event.changes == {"employee_count": [10, 80]}
    assert event.context == f"/api/v1/enterprises/{enterprise.pk}/"


def test_an_api_create_with_a_token_is_attributed_too(taishan):
    client_user = UserFactory(username="erp2", role=Role.API_CLIENT, jurisdiction=taishan)
    token = Token.objects.create(user=client_user)
    api = Client(headers={"authorization": f"Token {token.key}"})
    response = api.post(
        "/api/v1/organizations/",
        data={"name": "接口新建党支部", "region": taishan.pk, "established_on": "2024-07-01"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    event = _events("organizations_partyorganization", object_id=str(response.json()["id"])).get()
    assert (event.actor_id, event.via, event.action) == (client_user.pk, AuditVia.API, AuditAction.INSERT)


# --- history and search ------------------------------------------------------------------------


def test_a_records_history_shows_who_when_via_and_old_to_new_with_personal_data_masked(staff, taishan):
    member = PartyMemberFactory(region=taishan, name="张三", id_number="11010519491231002X")
    editor = UserFactory(username="editor", full_name="李编辑", role=Role.DISTRICT_STAFF, jurisdiction=taishan)
    with audit_context(actor_id=editor.pk, via=AuditVia.WEB):
        PartyMember.objects.filter(pk=member.pk).update(name="张三丰")
        member.refresh_from_db()
        member.phone = "13812345678"
        member.save()
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(f"/organizations/members/{member.pk}/history/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "李编辑" in html and "网页" in html
    assert "张三 → 张三丰" in html
    assert "联系电话：— → *******5678" in html
    assert "11010519491231002X" not in html and "13812345678" not in html
    assert "**************002X" in html  # the insert, masked
    assert f"所属区域：泰山区（{taishan.pk}）" in html  # foreign keys by name
    # Re-encrypting an unchanged ID number on save is not shown as a change.
    assert html.count("身份证号码") == 1


def test_an_organizations_history_includes_its_covered_enterprises(staff, taishan):
    org = PartyOrganizationFactory(region=taishan)
    enterprise = EnterpriseFactory(region=taishan)
    with audit_context(actor_id=staff.pk, via=AuditVia.WEB):
        org.covered_enterprises.add(enterprise)
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(f"/organizations/{org.pk}/history/").content.decode()
    assert "覆盖企业" in html and str(enterprise.pk) in html


def test_the_administrators_search_filters_by_table_actor_via_and_record(taishan):
    admin = UserFactory(username="cityadmin", role=Role.CITY_ADMIN, jurisdiction=city())
    importer = UserFactory(username="importer", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    with audit_context(actor_id=importer.pk, via=AuditVia.IMPORT):
        imported = EnterpriseFactory(region=taishan, name="导入的企业")
    EnterpriseFactory(region=taishan, name="系统写入的企业")
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")

    html = client.get(
        "/audit/", {"table": "enterprises_enterprise", "actor": "importer", "via": "import"}
    ).content.decode()
    assert "导入的企业" in html and "系统写入的企业" not in html
    html = client.get("/audit/", {"object_id": str(imported.pk), "table": "enterprises_enterprise"}).content.decode()
    assert "导入的企业" in html
    assert client.get("/audit/", {"date_from": "2000-01-01", "date_to": "2000-01-02"}).status_code == 200


def test_district_staff_cannot_search_the_whole_log(staff):
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/access/").status_code == 403


def test_detail_pages_link_to_their_history_for_those_who_may_see_it(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    org = PartyOrganizationFactory(region=taishan)
    member = PartyMemberFactory(region=taishan)
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert f"/enterprises/{enterprise.pk}/history/" in client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert f"/organizations/{org.pk}/history/" in client.get(f"/organizations/{org.pk}/").content.decode()
    assert (
        f"/organizations/members/{member.pk}/history/"
        in client.get(f"/organizations/members/{member.pk}/").content.decode()
    )
    commerce = UserFactory(username="gs", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    client.force_login(commerce, backend="django.contrib.auth.backends.ModelBackend")
    assert "/history/" not in client.get(f"/enterprises/{enterprise.pk}/").content.decode()


def test_a_connection_reopened_inside_a_context_gets_the_attribution_again(staff):
    """A health check or a dropped connection replaces the connection mid-request: the new one
    starts with no settings, and the connection_created receiver puts the context back."""
    assert any("portal_audit_reapply" in str(key) for key, *_ in connection_created.receivers)
    with audit_context(actor_id=staff.pk, via=AuditVia.IMPORT, context="reconnect"):
        _set(None, "", None, "")  # what a fresh connection looks like
        reapply_on_new_connection(sender=type(connection), connection=connection)
        assert current_attribution() == (staff.pk, AuditVia.IMPORT, None, "reconnect")
    assert current_attribution() == (None, "", None, "")


def test_the_change_and_access_logs_cannot_be_rewritten(staff, taishan):
    EnterpriseFactory(region=taishan)
    AccessLog.objects.create(user=staff, kind="EXPORT", target="t")
    for queryset in (AuditEvent.objects.all(), AccessLog.objects.all()):
        with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
            queryset.update(ip="10.0.0.1")
        with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
            queryset.delete()


def test_history_and_search_pages_read_a_fixed_number_of_queries(staff, taishan):
    admin = UserFactory(username="auditor", role=Role.CITY_ADMIN, jurisdiction=city())
    member = PartyMemberFactory(region=taishan, workplace=EnterpriseFactory(region=taishan))
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")

    def queries(url: str) -> int:
        with CaptureQueriesContext(db) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = (queries(f"/organizations/members/{member.pk}/history/"), queries("/audit/"))
    with audit_context(actor_id=staff.pk, via=AuditVia.WEB):
        for n in range(10):
            PartyMember.objects.filter(pk=member.pk).update(
                name=f"改名{n}", workplace=EnterpriseFactory(region=taishan)
            )
    many = (queries(f"/organizations/members/{member.pk}/history/"), queries("/audit/"))
    assert many == few
