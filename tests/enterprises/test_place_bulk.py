"""落实到街道 as a service: enterprise_place_bulk moves district-level enterprises to the district's
streets or towns in one audited UPDATE, and refuses (writing nothing) an enterprise outside the
user's region, one already placed, a street of another district and a carrier of another street."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enterprises.services import enterprise_place_bulk
from portal.choices import RegionLevel, Role
from portal.models import AuditEvent
from tests.assessments.factories import CompleteEnterpriseFactory, street
from tests.factories import CarrierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place_world(taishan, daiyue):
    caiyuan = street(parent=taishan)
    shanggao = street("370902002000", "上高街道", parent=taishan)
    return {
        "caiyuan": caiyuan,
        "shanggao": shanggao,
        "k1": CompleteEnterpriseFactory(name="地址写明财源", region=taishan),
        "k2": CompleteEnterpriseFactory(name="地址写明邱家店", region=taishan),
        "k3": CompleteEnterpriseFactory(name="地址无法匹配", region=taishan),
        "placed": CompleteEnterpriseFactory(name="已在上高", region=shanggao),
    }


def test_place_bulk_moves_the_given_enterprises_in_one_audited_update(staff, place_world):
    k1, k2, k3 = place_world["k1"], place_world["k2"], place_world["k3"]
    placements = {k1.pk: place_world["caiyuan"].pk, k2.pk: place_world["shanggao"].pk}
    assert enterprise_place_bulk(placements=placements, acting_user=staff) == 2
    for enterprise, expected in ((k1, "财源街道"), (k2, "上高街道"), (k3, "泰山区")):
        enterprise.refresh_from_db()
        assert enterprise.region.name == expected
    events = AuditEvent.objects.filter(table_name="enterprises_enterprise", action="U", actor=staff)
    assert set(events.values_list("object_id", flat=True)) == {str(k1.pk), str(k2.pk)}


def test_place_bulk_is_refused_to_leaders(place_world, taishan):
    leader = UserFactory(username="leader", role=Role.LEADER, jurisdiction=taishan)
    with pytest.raises(PermissionDenied):
        enterprise_place_bulk(placements={place_world["k1"].pk: place_world["caiyuan"].pk}, acting_user=leader)


def test_place_bulk_refuses_a_street_of_another_district_and_writes_nothing(staff, place_world, daiyue):
    other_street = street("370911001000", "粥店街道", parent=daiyue)
    with pytest.raises(ValidationError) as raised:
        enterprise_place_bulk(
            placements={place_world["k1"].pk: place_world["caiyuan"].pk, place_world["k3"].pk: other_street.pk},
            acting_user=staff,
        )
    assert "地址无法匹配：所选街道不存在或不在您的管辖区域内" in raised.value.messages
    place_world["k1"].refresh_from_db()
    assert place_world["k1"].region.level == RegionLevel.DISTRICT


def test_place_bulk_refuses_an_enterprise_of_another_district(outsider, place_world):
    with pytest.raises(PermissionDenied):
        enterprise_place_bulk(placements={place_world["k1"].pk: place_world["caiyuan"].pk}, acting_user=outsider)


def test_place_bulk_refuses_an_enterprise_already_placed_and_a_carrier_of_another_street(staff, place_world):
    placed = place_world["placed"]
    with pytest.raises(ValidationError) as raised:
        enterprise_place_bulk(placements={placed.pk: place_world["caiyuan"].pk}, acting_user=staff)
    assert raised.value.messages == ["已在上高：已落实到上高街道"]
    k2 = place_world["k2"]
    k2.carrier = CarrierFactory(name="上高商圈", region=place_world["shanggao"])
    k2.save()
    with pytest.raises(ValidationError) as raised:
        enterprise_place_bulk(placements={k2.pk: place_world["caiyuan"].pk}, acting_user=staff)
    assert raised.value.messages == ["地址写明邱家店：所属载体“上高商圈”不在财源街道"]
