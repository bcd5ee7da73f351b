"""Every write service attributes its own changes and checks the capability itself
(portal.audit.write_service), so a form, the API and a command get the same answer."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from enterprises.models import Carrier
from portal.audit import audit_context, write_service
from portal.choices import AuditVia, Role
from portal.models import AuditEvent
from portal.permissions import Capability
from tests.factories import CarrierFactory, UserFactory, district

pytestmark = pytest.mark.django_db


@write_service(Capability.ADMINISTER, message="只有市级管理员可以新建载体")
def carrier_rename(*, carrier: Carrier, name: str, acting_user) -> Carrier:
    carrier.name = name
    carrier.save(update_fields=["name"])
    return carrier


def _carrier() -> Carrier:
    return CarrierFactory(region=district())


def test_a_service_refuses_a_role_without_the_capability_with_its_chinese_message():
    carrier = _carrier()
    leader = UserFactory(role=Role.LEADER, jurisdiction=carrier.region)

    with pytest.raises(PermissionDenied, match="只有市级管理员可以新建载体"):
        carrier_rename(carrier=carrier, name="新名称", acting_user=leader)

    carrier.refresh_from_db()
    assert carrier.name != "新名称"


def test_a_service_called_from_a_command_is_attributed_to_the_acting_user_as_system():
    carrier = _carrier()
    admin = UserFactory(role=Role.CITY_ADMIN, jurisdiction=carrier.region)

    carrier_rename(carrier=carrier, name="泰山科技园", acting_user=admin)

    event = AuditEvent.objects.filter(table_name="enterprises_carrier", object_id=str(carrier.pk)).latest("id")
    assert (event.actor_id, event.via, event.context) == (admin.pk, AuditVia.SYSTEM, "carrier_rename")
    assert event.changes["name"][1] == "泰山科技园"


def test_a_service_inside_a_request_keeps_the_requests_channel_and_address():
    carrier = _carrier()
    admin = UserFactory(role=Role.CITY_ADMIN, jurisdiction=carrier.region)

    with audit_context(actor_id=None, via=AuditVia.API, ip="10.1.2.3", context="/api/v1/carriers/"):
        carrier_rename(carrier=carrier, name="岱宗商务楼", acting_user=admin)

    event = AuditEvent.objects.filter(table_name="enterprises_carrier", object_id=str(carrier.pk)).latest("id")
    assert (event.actor_id, event.via, event.ip) == (admin.pk, AuditVia.API, "10.1.2.3")


def test_a_service_without_acting_user_is_a_programming_error():
    with pytest.raises(TypeError, match="acting_user"):
        carrier_rename(carrier=_carrier(), name="x")  # type: ignore[call-arg]
