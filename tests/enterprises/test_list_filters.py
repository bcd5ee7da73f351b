"""The filters of the list pages: every empty choice reads 全部, yes/no filters read 全部/是/否, and
the enterprise list's 载体 filter is a choice of the user's own carriers, searched by name through
the enterprises app's autocomplete URL (portal.views.AutocompleteView)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_filters.views import FilterView

from enterprises.choices import CarrierKind
from portal.choices import Role
from portal.permissions import has_capability
from tests.factories import CarrierFactory, EnterpriseFactory, UserFactory, city

pytestmark = pytest.mark.django_db


def _filter_list_urls(patterns=None, namespace: str = "") -> list[str]:
    """Every page built on a FilterSet (a FilterView) whose URL takes no argument."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace or ""
            found += _filter_list_urls(pattern.url_patterns, ns or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groupindex:
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None and issubclass(view_class, FilterView):
                found.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return found


FILTER_LIST_URLS = _filter_list_urls()


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _filter_form(html: str) -> str:
    match = re.search(r'<form method="get" class="filters">(.*?)</form>', html, re.S)
    assert match, "the page has no filter form"
    return match.group(1)


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def test_the_list_pages_with_filters_are_found():
    assert {"enterprises:list", "enterprises:carrier-list", "organizations:member-list", "instructors:list"} <= set(
        FILTER_LIST_URLS
    )


@pytest.mark.parametrize("url_name", FILTER_LIST_URLS)
def test_every_empty_choice_reads_all_never_dashes_or_unknown(url_name, staff):
    view_class = get_resolver().resolve(reverse(url_name)).func.view_class
    user = staff  # district staff; a city administrator for the pages only they open (系统管理)
    if not has_capability(staff, view_class.required_capability):
        user = UserFactory(username="city_admin", role=Role.CITY_ADMIN, jurisdiction=city())
    form = _filter_form(_client(user).get(reverse(url_name)).content.decode())
    assert "---------" not in form
    assert "未知" not in form
    for select in re.findall(r'<select name="(\w+)"', form):
        assert _options(form, select)[0] == ("", "全部"), f"{url_name}: the first choice of {select}"


@pytest.mark.parametrize("url_name", ["portal:audit-search", "portal:access-log"])
def test_the_administrators_log_searches_read_all_too(url_name):
    city_admin = UserFactory(username="city_admin", role=Role.CITY_ADMIN, jurisdiction=city())
    html = _client(city_admin).get(reverse(url_name)).content.decode()
    assert "---------" not in html
    assert "未知" not in html
    for select in re.findall(r'<select name="(\w+)"', html):
        assert _options(html, select)[0] == ("", "全部"), f"{url_name}: the first choice of {select}"


def test_a_yes_no_filter_offers_all_yes_no(staff):
    form = _filter_form(_client(staff).get(reverse("enterprises:list")).content.decode())
    assert _options(form, "above_scale") == [("", "全部"), ("true", "是"), ("false", "否")]


def test_the_above_scale_filter_narrows_only_when_chosen(staff, taishan):
    big = EnterpriseFactory(region=taishan, above_scale=True, name="规上企业")
    small = EnterpriseFactory(region=taishan, above_scale=False, name="小微企业")
    client = _client(staff)
    url = reverse("enterprises:list")
    assert set(client.get(url, {"above_scale": ""}).context["object_list"]) == {big, small}
    assert list(client.get(url, {"above_scale": "true"}).context["object_list"]) == [big]
    assert list(client.get(url, {"above_scale": "false"}).context["object_list"]) == [small]
    assert '<option value="true" selected>是</option>' in client.get(url, {"above_scale": "true"}).content.decode()


# --- the carrier filter ------------------------------------------------------------------------


@pytest.fixture
def parks(taishan, daiyue):
    return {
        "泰山科技园": CarrierFactory(name="泰山科技园", region=taishan),
        "泰山商务楼": CarrierFactory(name="泰山商务楼", kind=CarrierKind.BUILDING, region=taishan),
        "岱岳科技园": CarrierFactory(name="岱岳科技园", region=daiyue),
    }


def test_the_carrier_filter_narrows_to_the_chosen_park(staff, taishan, parks):
    inside = EnterpriseFactory(region=taishan, carrier=parks["泰山科技园"])
    EnterpriseFactory(region=taishan, carrier=parks["泰山商务楼"])
    EnterpriseFactory(region=taishan)
    response = _client(staff).get(reverse("enterprises:list"), {"carrier": parks["泰山科技园"].pk})
    assert list(response.context["object_list"]) == [inside]


def test_a_park_name_typed_into_the_query_string_returns_nothing_not_everything(staff, taishan, parks):
    EnterpriseFactory(region=taishan, carrier=parks["泰山科技园"])
    EnterpriseFactory(region=taishan)
    response = _client(staff).get(reverse("enterprises:list"), {"carrier": "泰山科技园"})
    assert list(response.context["object_list"]) == []
    assert response.context["filter"].errors["carrier"]


def test_another_districts_carrier_is_refused_as_a_filter_value(staff, daiyue, parks):
    EnterpriseFactory(region=daiyue, carrier=parks["岱岳科技园"])
    response = _client(staff).get(reverse("enterprises:list"), {"carrier": parks["岱岳科技园"].pk})
    assert list(response.context["object_list"]) == []
    assert response.context["filter"].errors["carrier"]


def test_the_carrier_filter_is_a_searchable_select_of_the_users_own_carriers(staff, parks):
    form = _filter_form(_client(staff).get(reverse("enterprises:list")).content.decode())
    assert f'data-autocomplete-url="{reverse("enterprises:carrier-autocomplete")}"' in form
    assert '<input type="number" name="carrier"' not in form
    labels = [label for _, label in _options(form, "carrier")]
    assert labels[0] == "全部"
    assert set(labels[1:]) == {"泰山科技园", "泰山商务楼"}  # never 岱岳科技园


def test_the_api_filters_by_carrier_and_refuses_another_districts_carrier(staff, taishan, parks):
    inside = EnterpriseFactory(region=taishan, carrier=parks["泰山科技园"])
    EnterpriseFactory(region=taishan)
    client = _client(staff)
    answer = client.get("/api/v1/enterprises/", {"carrier": parks["泰山科技园"].pk}).json()
    assert [row["credit_code"] for row in answer["results"]] == [inside.credit_code]
    assert client.get("/api/v1/enterprises/", {"carrier": parks["岱岳科技园"].pk}).status_code == 400
    assert client.get("/api/v1/enterprises/", {"above_scale": "true"}).status_code == 200


def test_the_enterprise_list_with_a_carrier_filter_runs_a_bounded_number_of_queries(
    staff, taishan, parks, django_assert_max_num_queries
):
    for _ in range(30):
        EnterpriseFactory(region=taishan, carrier=parks["泰山科技园"])
    client = _client(staff)
    url = reverse("enterprises:list")
    client.get(url)
    # session, user, jurisdiction; the chosen carrier checked, the capped count, the filter's
    # options, the rows; the session's expiry pushed forward (3): the same for 3 rows or 3,000.
    with django_assert_max_num_queries(11):
        response = client.get(url, {"carrier": parks["泰山科技园"].pk})
    assert len(response.context["object_list"]) == 30


# --- the autocomplete endpoints ----------------------------------------------------------------


def _results(client, url_name: str, **params) -> list[dict]:
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return response.json()["results"]


def test_carrier_autocomplete_finds_a_park_by_part_of_its_name(staff, parks):
    rows = _results(_client(staff), "enterprises:carrier-autocomplete", q="科技")
    assert rows == [{"id": parks["泰山科技园"].pk, "label": "泰山科技园", "detail": "园区 · 泰山区"}]


def test_carrier_autocomplete_never_returns_another_districts_carriers(staff, outsider, parks):
    assert "岱岳科技园" not in {row["label"] for row in _results(_client(staff), "enterprises:carrier-autocomplete")}
    assert _results(_client(staff), "enterprises:carrier-autocomplete", q="岱岳") == []
    assert _results(_client(staff), "enterprises:carrier-autocomplete", id=parks["岱岳科技园"].pk) == []
    assert {row["label"] for row in _results(_client(outsider), "enterprises:carrier-autocomplete")} == {"岱岳科技园"}


def test_a_city_user_finds_the_carriers_of_every_district(parks):
    leader = UserFactory(username="city_leader", role=Role.LEADER, jurisdiction=city())
    rows = _results(_client(leader), "enterprises:carrier-autocomplete", q="科技园")
    assert {row["label"] for row in rows} == {"泰山科技园", "岱岳科技园"}


def test_a_user_without_jurisdiction_finds_nothing(parks):
    nobody = UserFactory(username="nobody", role=Role.DISTRICT_STAFF, jurisdiction=None)
    assert _results(_client(nobody), "enterprises:carrier-autocomplete") == []


def test_autocomplete_answers_at_most_twenty_rows(staff, taishan):
    for n in range(25):
        CarrierFactory(name=f"楼宇{n:02d}", region=taishan)
    assert len(_results(_client(staff), "enterprises:carrier-autocomplete", q="楼宇")) == 20


def test_enterprise_autocomplete_finds_by_name_or_credit_code(staff, taishan, daiyue):
    mine = EnterpriseFactory(region=taishan, name="泰山钢铁有限公司")
    EnterpriseFactory(region=daiyue, name="岱岳钢铁有限公司")
    client = _client(staff)
    by_name = _results(client, "enterprises:enterprise-autocomplete", q="钢铁")
    assert by_name == [{"id": mine.pk, "label": "泰山钢铁有限公司", "detail": mine.credit_code}]
    by_code = _results(client, "enterprises:enterprise-autocomplete", q=mine.credit_code[:12].lower())
    assert [row["id"] for row in by_code] == [mine.pk]


def test_autocomplete_needs_a_signed_in_user(parks):
    response = Client().get(reverse("enterprises:carrier-autocomplete"), {"q": "科技"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
