"""The 记录组织生活 and 创先争优制度 pages: reached from the organization page, attendees picked from
that organization's members only, errors beside their fields, an idempotent submit, 404 outside
the region, 403 without the capability, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations.choices import OrgLifeKind
from organizations.models import ExcellenceSystem, OrgLifeRecord
from portal.choices import Role
from tests.factories import PartyMemberFactory, PartyOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _token(html: str) -> str:
    match = re.search(r'name="form_token" value="([0-9a-f]+)"', html)
    assert match, "the form carries no one-time token"
    return match.group(1)


@pytest.fixture
def org(taishan):
    return PartyOrganizationFactory(name="泰山科技党支部", region=taishan)


@pytest.fixture
def members(org, taishan):
    return [PartyMemberFactory(name=f"科技党员{i}", organization=org, region=taishan) for i in range(3)]


def _post(members, token: str, **extra) -> dict:
    return {
        "kind": OrgLifeKind.PARTY_LESSON,
        "held_on": "2025-06-28",
        "topic": "学习党章",
        "attendees": [m.pk for m in members[:2]],
        "attendance": "",
        "expected_count": "3",
        "notes": "",
        "form_token": token,
        **extra,
    }


def test_the_organization_page_offers_the_life_form_and_lists_the_saved_record(staff, org, members):
    client = _client(staff)
    url = reverse("organizations:life-create", args=[org.pk])
    assert url == f"/organizations/{org.pk}/life/new/"
    assert url in client.get(org.get_absolute_url()).content.decode()
    html = client.get(url).content.decode()
    assert "记录组织生活" in html and "泰山科技党支部" in html  # title and breadcrumb
    response = client.post(url, _post(members, _token(html)))
    assert response.status_code == 302 and response["Location"] == f"{org.get_absolute_url()}#life"
    record = OrgLifeRecord.objects.get()
    assert record.attendance == 2 and set(record.attendees.all()) == set(members[:2])
    page = client.get(org.get_absolute_url()).content.decode()
    assert "学习党章" in page and "2/3" in page and reverse("organizations:life-update", args=[record.pk]) in page


def test_a_double_submitted_life_form_saves_one_record(staff, org, members):
    client = _client(staff)
    url = reverse("organizations:life-create", args=[org.pk])
    data = _post(members, _token(client.get(url).content.decode()))
    client.post(url, data)
    second = client.post(url, data, follow=True)
    assert OrgLifeRecord.objects.count() == 1
    assert "该表单已提交过，未重复保存" in second.content.decode()


def test_errors_are_shown_beside_their_fields(staff, org, members):
    client = _client(staff)
    url = reverse("organizations:life-create", args=[org.pk])
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    html = client.post(url, _post(members, "", held_on=future)).content.decode()
    assert re.search(r'id="held_on-errors"><p class="error">日期不能晚于今天</p>', html)
    html = client.post(url, _post(members, "", attendees=[], attendance="9")).content.decode()
    assert re.search(r'id="attendance-errors"><p class="error">实到人数不能超过本党组织党员人数（3人）</p>', html)
    assert not OrgLifeRecord.objects.exists()


def test_a_member_of_another_organization_cannot_be_posted_as_attendee(staff, org, members, taishan):
    stranger = PartyMemberFactory(region=taishan, organization=PartyOrganizationFactory(region=taishan))
    url = reverse("organizations:life-create", args=[org.pk])
    html = _client(staff).post(url, _post([stranger], "")).content.decode()
    assert re.search(r'id="attendees-errors"><p class="error">所选记录不存在或不在您的管辖区域内</p>', html)


def test_the_attendee_search_offers_only_the_organizations_members(staff, outsider, org, members, taishan):
    PartyMemberFactory(name="科技党员外人", region=taishan)
    url = reverse("organizations:life-attendee-autocomplete", args=[org.pk])
    labels = [row["label"] for row in _client(staff).get(url, {"q": "科技"}).json()["results"]]
    assert sorted(labels) == ["科技党员0", "科技党员1", "科技党员2"]
    assert _client(outsider).get(url, {"q": "科技"}).status_code == 404


def test_another_districts_staff_get_404_and_commerce_staff_403(outsider, taishan, org, members):
    record = OrgLifeRecord.objects.create(
        organization=org, kind=OrgLifeKind.THEME_DAY, held_on=dt.date(2025, 1, 2), topic="t", attendance=1
    )
    system = ExcellenceSystem.objects.create(organization=org, name="制度", adopted_on=dt.date(2024, 1, 1))
    urls = [
        reverse("organizations:life-create", args=[org.pk]),
        reverse("organizations:life-update", args=[record.pk]),
        reverse("organizations:life-void", args=[record.pk]),
        reverse("organizations:excellence-create", args=[org.pk]),
        reverse("organizations:excellence-update", args=[system.pk]),
        reverse("organizations:excellence-end", args=[system.pk]),
    ]
    commerce = UserFactory(username="taishan_commerce", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    for url in urls:
        assert _client(outsider).get(url).status_code == 404, url
        assert _client(commerce).get(url).status_code == 403, url


def test_a_record_is_corrected_and_voided_from_its_edit_page(staff, org, members):
    record = OrgLifeRecord.objects.create(
        organization=org, kind=OrgLifeKind.THEME_DAY, held_on=dt.date(2025, 1, 2), topic="主题党日", attendance=1
    )
    client = _client(staff)
    edit = reverse("organizations:life-update", args=[record.pk])
    html = client.get(edit).content.decode()
    assert reverse("organizations:life-void", args=[record.pk]) in html
    assert reverse("organizations:life-history", args=[record.pk]) in html
    client.post(edit, _post(members, _token(html), kind=OrgLifeKind.THEME_DAY, topic="主题党日（更正）"))
    record.refresh_from_db()
    assert record.topic == "主题党日（更正）" and record.attendance == 2
    void = reverse("organizations:life-void", args=[record.pk])
    html = client.post(void, {"ended_on": "2025-07-01", "reason": ""}).content.decode()
    assert re.search(r'id="reason-errors"><p class="error">', html)
    client.post(void, {"ended_on": "2025-07-01", "reason": "重复录入"})
    record.refresh_from_db()
    assert record.voided_on == dt.date(2025, 7, 1)
    assert "已作废" in client.get(org.get_absolute_url()).content.decode()


def test_excellence_systems_are_added_edited_and_retired_from_the_organization_page(staff, org):
    client = _client(staff)
    create = reverse("organizations:excellence-create", args=[org.pk])
    assert create in client.get(org.get_absolute_url()).content.decode()
    for name in ("党员先锋岗制度", "承诺践诺制度"):
        token = _token(client.get(create).content.decode())
        client.post(create, {"name": name, "adopted_on": "2024-03-01", "description": "", "form_token": token})
    first, second = ExcellenceSystem.objects.order_by("name")
    page = client.get(org.get_absolute_url()).content.decode()
    assert reverse("organizations:excellence-update", args=[first.pk]) in page and "执行中" in page
    end = reverse("organizations:excellence-end", args=[first.pk])
    client.post(end, {"ended_on": "2025-01-01", "reason": "合并"})
    html = client.post(
        reverse("organizations:excellence-end", args=[second.pk]), {"ended_on": "2025-01-01"}
    ).content.decode()
    assert "每个党组织至少保留一项在执行的创先争优制度" in html
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.ended_on == dt.date(2025, 1, 1) and second.ended_on is None


def test_the_pages_run_a_bounded_number_of_queries(staff, org, taishan, django_assert_max_num_queries):
    for n in range(60):
        member = PartyMemberFactory(region=taishan, organization=org, name=f"批量党员{n}")
    for n in range(25):
        record = OrgLifeRecord.objects.create(
            organization=org,
            kind=OrgLifeKind.PARTY_LESSON,
            held_on=dt.date(2025, 1, 1 + n),
            topic=f"党课{n}",
            attendance=5,
        )
        record.attendees.add(member)
    ExcellenceSystem.objects.create(organization=org, name="制度", adopted_on=dt.date(2024, 1, 1))
    client = _client(staff)
    for url in (
        org.get_absolute_url(),
        reverse("organizations:life-create", args=[org.pk]),
        reverse("organizations:life-update", args=[record.pk]),
        reverse("organizations:life-void", args=[record.pk]),
        reverse("organizations:excellence-create", args=[org.pk]),
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url
