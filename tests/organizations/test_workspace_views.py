"""The workspace pages of members, organizations and survey visits: buttons only for roles that may,
errors beside their fields, an idempotent double submit, another district's 404, commerce staff's
403 on every member / organization form, and bounded query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enterprises.models import SurveyVisit
from organizations.choices import MemberStatus
from organizations.models import PartyMember, PartyOrganization
from tests.factories import EnterpriseFactory, PartyMemberFactory, PartyOrganizationFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _token(html: str) -> str:
    match = re.search(r'name="form_token" value="([0-9a-f]+)"', html)
    assert match, "the form carries no one-time token"
    return match.group(1)


def _visit_post(token: str, members: list[dict]) -> dict:
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "member_count_confirmed": str(len(members)),
        "employee_count": "30",
        "address": "泰山区东岳大街1号",
        "legal_representative": "王五",
        "form_token": token,
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "50",
    }
    for index in range(3):
        data[f"members-{index}-status"] = MemberStatus.FULL
    for index, member in enumerate(members):
        data.update({f"members-{index}-{name}": value for name, value in member.items()})
    return data


def _found(name: str, **extra) -> dict:
    return {
        "name": name,
        "gender": "F",
        "birth_date": "1990-05-01",
        "education": "BACHELOR",
        "joined_on": "2015-07-01",
    } | extra


@pytest.fixture
def enterprise(taishan):
    return EnterpriseFactory(region=taishan, name="泰安走访测试有限公司")


def _forms(enterprise, member, org) -> list[str]:
    return [
        reverse("organizations:member-create") + f"?enterprise={enterprise.pk}",
        reverse("organizations:member-update", args=[member.pk]),
        reverse("organizations:member-transfer", args=[member.pk]),
        reverse("organizations:create") + f"?formation=STANDALONE&enterprise={enterprise.pk}",
        reverse("organizations:update", args=[org.pk]),
        reverse("organizations:dissolve", args=[org.pk]),
        reverse("organizations:survey-visit") + f"?enterprise={enterprise.pk}",
    ]


def test_commerce_staff_get_403_on_every_member_and_organization_form(commerce, enterprise, taishan):
    member, org = PartyMemberFactory(region=taishan), PartyOrganizationFactory(region=taishan)
    client = _client(commerce)
    for url in _forms(enterprise, member, org):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert not SurveyVisit.objects.exists()


def test_another_districts_staff_get_404_on_this_districts_records(outsider, enterprise, taishan):
    member, org = PartyMemberFactory(region=taishan), PartyOrganizationFactory(region=taishan)
    client = _client(outsider)
    for url in _forms(enterprise, member, org)[1:3] + _forms(enterprise, member, org)[4:]:
        assert client.get(url).status_code == 404, url


def test_district_staff_see_every_form(staff, campaign, enterprise, taishan):
    member, org = PartyMemberFactory(region=taishan), PartyOrganizationFactory(region=taishan, covered=[enterprise])
    client = _client(staff)
    for url in _forms(enterprise, member, org):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'name="form_token"' in response.content.decode()


def test_member_create_prefills_the_workplace_and_refuses_a_duplicate_beside_the_field(staff, enterprise, taishan):
    org = PartyOrganizationFactory(region=taishan, name="泰山区某某党支部")
    PartyMemberFactory(region=taishan, name="张三", organization=org, id_number="370902198503011230")
    client = _client(staff)
    page = client.get(reverse("organizations:member-create") + f"?enterprise={enterprise.pk}").content.decode()
    assert f'value="{enterprise.pk}" selected' in page or f'<option value="{enterprise.pk}" selected>' in page
    response = client.post(
        reverse("organizations:member-create"),
        {
            "name": "李四",
            "status": MemberStatus.FULL,
            "id_number": "370902198503011230",
            "workplace": enterprise.pk,
            "form_token": _token(page),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["该身份证号码已登记：张三（泰山区某某党支部）"]
    assert 'id="id_number-errors"' in response.content.decode()


def test_standalone_form_shows_the_refusal_then_creates_with_three_full_members(staff, enterprise, taishan):
    PartyMemberFactory.create_batch(2, region=taishan, workplace=enterprise)
    client = _client(staff)
    url = reverse("organizations:create") + f"?formation=STANDALONE&enterprise={enterprise.pk}"
    page = client.get(url).content.decode()
    assert "单独组建党组织需要至少3名正式党员，该企业现有2名" in page
    data = {
        "name": "泰安走访测试有限公司党支部",
        "formation": "STANDALONE",
        "level": "BRANCH",
        "covered_enterprises": [enterprise.pk],
        "established_on": "2026-01-05",
        "form_token": _token(page),
    }
    refused = client.post(reverse("organizations:create"), data)
    assert refused.context["form"].errors["covered_enterprises"] == ["单独组建党组织需要至少3名正式党员，该企业现有2名"]
    PartyMemberFactory(region=taishan, workplace=enterprise)
    created = client.post(reverse("organizations:create"), data)
    org = PartyOrganization.objects.get()
    assert created.status_code == 302 and created["Location"] == org.get_absolute_url()
    assert list(org.covered_enterprises.all()) == [enterprise]


def test_level_mismatch_is_a_warning_on_the_form_not_a_refusal(staff, enterprise, taishan):
    PartyMemberFactory.create_batch(51, region=taishan, workplace=enterprise)
    client = _client(staff)
    page = client.get(reverse("organizations:create") + f"?formation=STANDALONE&enterprise={enterprise.pk}")
    assert page.context["form"].initial["level"] == "GENERAL_BRANCH"
    data = {
        "name": "大企业党支部",
        "formation": "STANDALONE",
        "level": "BRANCH",
        "covered_enterprises": [enterprise.pk],
        "established_on": "2026-01-05",
        "form_token": _token(page.content.decode()),
    }
    response = client.post(reverse("organizations:create"), data, follow=True)
    assert PartyOrganization.objects.filter(level="BRANCH").count() == 1
    assert "组织设置预警" in response.content.decode()


def test_survey_visit_double_submit_creates_one_visit_and_no_duplicate_members(staff, campaign, enterprise):
    client = _client(staff)
    url = reverse("organizations:survey-visit") + f"?enterprise={enterprise.pk}"
    page = client.get(url).content.decode()
    assert 'value="泰安走访测试有限公司"' not in page  # the enterprise name is the heading, not a field
    data = _visit_post(
        _token(page), [_found("甲"), _found("乙"), _found("丙", is_hidden="on", discovered_via="SELF_REPORTED")]
    )
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == enterprise.get_absolute_url()
    assert SurveyVisit.objects.count() == 1
    assert PartyMember.objects.filter(workplace=enterprise).count() == 3


def test_survey_visit_error_in_the_third_member_is_shown_beside_it_and_stores_nothing(staff, campaign, enterprise):
    client = _client(staff)
    url = reverse("organizations:survey-visit") + f"?enterprise={enterprise.pk}"
    data = _visit_post(
        _token(client.get(url).content.decode()), [_found("甲"), _found("乙"), _found("丙", is_hidden="on")]
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["view"].formset.forms[2].errors["discovered_via"] == ["隐性党员应填写发现途径"]
    assert 'id="members-2-discovered_via-errors"' in response.content.decode()
    assert not SurveyVisit.objects.exists() and not PartyMember.objects.exists()
    # corrected, the same token goes through (a refused submit releases it)
    data["members-2-discovered_via"] = "ORG_FOUND"
    assert client.post(url, data).status_code == 302
    assert PartyMember.objects.count() == 3


def test_survey_visit_without_a_current_campaign_says_so(staff, enterprise):
    client = _client(staff)
    url = reverse("organizations:survey-visit") + f"?enterprise={enterprise.pk}"
    page = client.get(url)
    assert "没有进行中的排查活动" in page.content.decode()
    response = client.post(url, _visit_post(_token(page.content.decode()), []))
    assert response.status_code == 200 and not SurveyVisit.objects.exists()


def test_list_pages_offer_add_and_export_only_to_roles_that_may(staff, taishan):
    from portal.choices import Role
    from tests.factories import UserFactory

    leader = UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taishan)
    for url, label in (
        (reverse("organizations:member-list"), "新增党员"),
        (reverse("organizations:list"), "新增党组织"),
    ):
        page = _client(staff).get(url).content.decode()
        assert label in page and "导出当前筛选结果" in page
        assert label not in _client(leader).get(url).content.decode()


def test_list_exports_are_xlsx_of_the_filtered_rows(staff, taishan):
    PartyOrganizationFactory(region=taishan)
    response = _client(staff).get(reverse("organizations:list") + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_detail_pages_show_edit_and_end_actions_to_staff(staff, taishan):
    org = PartyOrganizationFactory(region=taishan)
    member = PartyMemberFactory(region=taishan, organization=org)
    client = _client(staff)
    org_page = client.get(org.get_absolute_url()).content.decode()
    assert reverse("organizations:update", args=[org.pk]) in org_page
    assert reverse("organizations:dissolve", args=[org.pk]) in org_page
    member_page = client.get(member.get_absolute_url()).content.decode()
    assert reverse("organizations:member-transfer", args=[member.pk]) in member_page
    assert member.get_history_url() in member_page


def test_dissolve_page_sets_the_date(staff, taishan):
    org = PartyOrganizationFactory(region=taishan, established_on=dt.date(2020, 1, 1))
    client = _client(staff)
    url = reverse("organizations:dissolve", args=[org.pk])
    page = client.get(url).content.decode()
    response = client.post(
        url, {"ended_on": timezone.localdate().isoformat(), "reason": "企业注销", "form_token": _token(page)}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.dissolved_on == timezone.localdate()


def test_list_and_detail_pages_query_counts_are_bounded(staff, taishan, django_assert_max_num_queries):
    orgs = PartyOrganizationFactory.create_batch(5, region=taishan)
    for org in orgs:
        PartyMemberFactory.create_batch(
            4, region=taishan, organization=org, workplace=EnterpriseFactory(region=taishan)
        )
    client = _client(staff)
    member = PartyMember.objects.first()
    member.participates_in.set(orgs[1:])
    for url in (
        reverse("organizations:list"),
        reverse("organizations:member-list"),
        orgs[0].get_absolute_url(),
        member.get_absolute_url(),
        reverse("organizations:update", args=[orgs[0].pk]),
        reverse("organizations:member-update", args=[member.pk]),
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url
