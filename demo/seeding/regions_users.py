"""Geography and users: the city, its districts and streets; the demo accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from demo import geography as geo
from demo.seeding.state import DEMO_PASSWORD, SeedResult, SeedState
from portal.choices import RegionLevel, Role
from portal.models import Region


def build_regions(state: SeedState) -> None:
    city = Region.objects.create(code=geo.CITY[0], name=geo.CITY[1], level=RegionLevel.CITY)
    state.city = city
    state.districts = []
    state.streets = {}
    for code, name, _weight, streets, _parks in geo.DISTRICTS:
        district = Region.objects.create(code=code, name=name, level=RegionLevel.DISTRICT, parent=city)
        state.districts.append(district)
        state.streets[district.pk] = [
            Region.objects.create(code=f"{code}{i:03d}000", name=street, level=RegionLevel.STREET, parent=district)
            for i, street in enumerate(streets, start=1)
        ]
    state.counts["portal_region"] = Region.objects.count()
    state.tables.append("portal_region")


def build_users(state: SeedState, result: SeedResult) -> None:
    User = get_user_model()
    taishan, daiyue = state.districts[0], state.districts[1]
    specs = [
        ("admin", "市级管理员", Role.CITY_ADMIN, state.city, True),
        ("city_leader", "市委组织部领导", Role.LEADER, state.city, False),
        ("taishan_staff", "泰山区组织部干部", Role.DISTRICT_STAFF, taishan, False),
        ("taishan_commerce", "泰山区市场监管分局干部", Role.COMMERCE_STAFF, taishan, False),
        ("taishan_leader", "泰山区领导", Role.LEADER, taishan, False),
        ("daiyue_staff", "岱岳区组织部干部", Role.DISTRICT_STAFF, daiyue, False),
        ("api_client", "数据交换接口", Role.API_CLIENT, state.city, False),
    ]
    for username, full_name, role, region, superuser in specs:
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            jurisdiction=region,
            is_staff=superuser,
            is_superuser=superuser,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        result.users.append((username, Role(role).label, region.name))
        if role == Role.API_CLIENT:
            result.api_token = Token.objects.create(user=user).key
    result.counts["portal_user"] = len(specs)
