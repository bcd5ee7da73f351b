"""The write services behind the staff workspace (carriers and enterprises): each rule with its
Chinese message, the capability and the region checks, and never a hard delete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from enterprises import services
from enterprises.choices import CarrierKind, EnterpriseKind, RegistrationStatus
from enterprises.models import Carrier, Enterprise
from portal.choices import RegionLevel, Role
from portal.models import AuditEvent
from tests.factories import CarrierFactory, EnterpriseFactory, UserFactory, make_credit_code, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(taishan):
    return region("370902001000", "泰前街道", RegionLevel.STREET, taishan)


@pytest.fixture
def commerce(taishan):
    return UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)


def _messages(exc: ValidationError, field: str) -> list[str]:
    return exc.value.message_dict[field]  # type: ignore[attr-defined]


def _enterprise_fields(region, **extra):
    return {
        "credit_code": make_credit_code(777),
        "name": "泰安新建材料有限公司",
        "kind": EnterpriseKind.LIMITED_COMPANY,
        "region": region,
        "employee_count": 12,
        **extra,
    }


# --- carriers ----------------------------------------------------------------------------------


def test_district_staff_add_a_carrier_in_their_district_and_the_change_is_attributed(staff, street):
    carrier = services.carrier_create(name=" 泰山科创园 ", kind=CarrierKind.PARK, region=street, acting_user=staff)
    assert carrier.name == "泰山科创园"
    event = AuditEvent.objects.get(table_name="enterprises_carrier", object_id=str(carrier.pk), action="I")
    assert event.actor_id == staff.pk


def test_a_carrier_cannot_be_put_in_another_district(staff, daiyue):
    with pytest.raises(ValidationError) as exc:
        services.carrier_create(name="岱岳园区", kind=CarrierKind.PARK, region=daiyue, acting_user=staff)
    assert _messages(exc, "region") == ["所选区域不在您的管辖范围内"]
    assert not Carrier.objects.exists()


def test_two_carriers_of_one_name_in_one_region_are_refused_by_the_named_constraint(staff, taishan):
    CarrierFactory(name="泰山商务楼宇", region=taishan)
    with pytest.raises(ValidationError) as exc:
        services.carrier_create(name="泰山商务楼宇", kind=CarrierKind.BUILDING, region=taishan, acting_user=staff)
    assert "同一区域内已有同名载体" in exc.value.messages


def test_commerce_staff_and_leaders_may_not_maintain_carriers(commerce, taishan):
    leader = UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taishan)
    for user in (commerce, leader):
        with pytest.raises(PermissionDenied, match="您的角色无权维护载体"):
            services.carrier_create(name="园区", kind=CarrierKind.PARK, region=taishan, acting_user=user)


def test_another_districts_staff_cannot_edit_or_end_a_carrier(outsider, taishan):
    carrier = CarrierFactory(region=taishan)
    with pytest.raises(PermissionDenied, match="该载体不在您的管辖区域内"):
        services.carrier_update(
            carrier=carrier, name="改名", kind=carrier.kind, region=carrier.region, acting_user=outsider
        )
    with pytest.raises(PermissionDenied):
        services.carrier_end(carrier=carrier, ended_on=timezone.localdate(), acting_user=outsider)
    carrier.refresh_from_db()
    assert carrier.ended_on is None and carrier.name != "改名"


def test_ending_a_carrier_keeps_it_and_its_enterprises(staff, taishan):
    carrier = CarrierFactory(region=taishan)
    enterprise = EnterpriseFactory(region=taishan, carrier=carrier)
    services.carrier_end(carrier=carrier, ended_on=timezone.localdate(), reason="园区撤并", acting_user=staff)
    carrier.refresh_from_db()
    enterprise.refresh_from_db()
    assert carrier.ended_on == timezone.localdate() and carrier.end_reason == "园区撤并"
    assert enterprise.carrier_id == carrier.pk
    with pytest.raises(ValidationError) as exc:
        services.carrier_end(carrier=carrier, ended_on=timezone.localdate(), acting_user=staff)
    assert _messages(exc, "ended_on") == [f"该载体已于 {timezone.localdate():%Y-%m-%d} 停用"]


def test_a_carrier_cannot_be_ended_in_the_future(staff, taishan):
    carrier = CarrierFactory(region=taishan)
    with pytest.raises(ValidationError) as exc:
        services.carrier_end(carrier=carrier, ended_on=timezone.localdate() + dt.timedelta(days=1), acting_user=staff)
    assert _messages(exc, "ended_on") == ["停用日期不能晚于今天"]


# --- enterprises ---------------------------------------------------------------------------------


def test_district_staff_create_an_enterprise_with_its_carrier(staff, street, taishan):
    carrier = CarrierFactory(region=taishan)
    enterprise = services.enterprise_create(acting_user=staff, **_enterprise_fields(street, carrier=carrier))
    assert enterprise.pk and enterprise.carrier == carrier and enterprise.region == street
    assert enterprise.registration_status == RegistrationStatus.EXISTING


def test_a_failed_check_character_is_refused_unless_confirmed_as_an_early_code(staff, street):
    good = make_credit_code(778)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(acting_user=staff, **_enterprise_fields(street, credit_code=bad))
    assert _messages(exc, "credit_code")[0].startswith("统一社会信用代码校验位不符（按 GB 32100 应为")
    enterprise = services.enterprise_create(
        acting_user=staff, **_enterprise_fields(street, credit_code=bad, credit_code_check_confirmed=True)
    )
    assert enterprise.credit_code == bad


def test_a_malformed_credit_code_is_refused_with_the_format_message(staff, street):
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(acting_user=staff, **_enterprise_fields(street, credit_code="12345"))
    assert _messages(exc, "credit_code")
    assert not Enterprise.objects.exists()


def test_another_district_user_cannot_create_into_or_edit_an_enterprise_outside_their_region(outsider, taishan):
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(acting_user=outsider, **_enterprise_fields(taishan))
    assert _messages(exc, "region") == ["所选区域不在您的管辖范围内"]
    enterprise = EnterpriseFactory(region=taishan)
    with pytest.raises(PermissionDenied, match="该企业不在您的管辖区域内"):
        services.enterprise_update(enterprise=enterprise, name="改名", acting_user=outsider)
    with pytest.raises(PermissionDenied):
        services.enterprise_deregister(
            enterprise=enterprise,
            registration_status=RegistrationStatus.CANCELLED,
            ended_on=timezone.localdate(),
            acting_user=outsider,
        )


def test_a_carrier_of_another_district_cannot_be_chosen(staff, taishan, daiyue):
    foreign = CarrierFactory(region=daiyue)
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(acting_user=staff, **_enterprise_fields(taishan, carrier=foreign))
    assert _messages(exc, "carrier") == ["所选载体不在您的管辖区域内"]


def test_an_ended_carrier_takes_no_new_enterprise(staff, taishan):
    carrier = CarrierFactory(region=taishan, ended_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.enterprise_create(acting_user=staff, **_enterprise_fields(taishan, carrier=carrier))
    assert _messages(exc, "carrier") == [f"载体“{carrier.name}”已停用，不能再归入企业"]


def test_commerce_staff_edit_basic_data_but_not_the_carrier_or_party_facts(commerce, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    services.enterprise_update(enterprise=enterprise, name="泰安改名有限公司", employee_count=30, acting_user=commerce)
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.employee_count) == ("泰安改名有限公司", 30)
    carrier = CarrierFactory(region=taishan)
    for change in ({"carrier": carrier}, {"legal_representative_is_member": True}):
        with pytest.raises(PermissionDenied, match="您的角色只能维护企业基础信息"):
            services.enterprise_update(enterprise=enterprise, acting_user=commerce, **change)
    enterprise.refresh_from_db()
    assert enterprise.carrier is None and not enterprise.legal_representative_is_member


def test_leaders_may_not_edit_enterprises(taishan):
    leader = UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taishan)
    enterprise = EnterpriseFactory(region=taishan)
    with pytest.raises(PermissionDenied, match="您的角色无权维护企业信息"):
        services.enterprise_update(enterprise=enterprise, name="改名", acting_user=leader)


def test_deregistering_changes_the_status_with_its_date_and_deletes_nothing(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    services.enterprise_deregister(
        enterprise=enterprise,
        registration_status=RegistrationStatus.MOVED_OUT,
        ended_on=dt.date(2026, 6, 1),
        reason="迁往济南",
        acting_user=staff,
    )
    enterprise.refresh_from_db()
    assert enterprise.registration_status == RegistrationStatus.MOVED_OUT
    assert enterprise.deregistered_on == dt.date(2026, 6, 1)
    with pytest.raises(ValidationError) as exc:
        services.enterprise_deregister(
            enterprise=enterprise,
            registration_status=RegistrationStatus.CANCELLED,
            ended_on=dt.date(2026, 6, 2),
            acting_user=staff,
        )
    assert _messages(exc, "registration_status") == ["该企业已是“迁出”状态"]


def test_deregistering_before_the_registration_date_is_refused(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan, registered_on=dt.date(2018, 5, 1))
    with pytest.raises(ValidationError) as exc:
        services.enterprise_deregister(
            enterprise=enterprise,
            registration_status=RegistrationStatus.CANCELLED,
            ended_on=dt.date(2017, 1, 1),
            acting_user=staff,
        )
    assert _messages(exc, "ended_on") == ["注销/迁出日期不能早于注册日期"]


def test_the_edit_form_cannot_end_an_enterprise_without_a_date(staff, taishan):
    enterprise = EnterpriseFactory(region=taishan)
    with pytest.raises(ValidationError) as exc:
        services.enterprise_update(
            enterprise=enterprise, registration_status=RegistrationStatus.CANCELLED, acting_user=staff
        )
    assert _messages(exc, "registration_status") == ["注销、迁出或吊销请使用“注销/迁出”办理，并填写日期"]
