"""Malformed list parameters never answer 500.

Every list page and API list outside the ledger (which has its own test) is found by walking the
URL configuration; its parameters are read from its FilterSet (or search form) — nothing is listed
by hand, so a new list or a new filter is fuzzed the day it is added. Each parameter gets a NUL
byte, a Unicode digit that `str.isdigit()` accepts and `int()` does not, a negative number, an
exponent, 5,000 characters, SQL and a lone percent sign."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from portal.choices import Role
from portal.views import RecordHistoryView
from tests import factories as f
from tests.portal.test_permission_matrix import FACTORIES

pytestmark = pytest.mark.django_db

BAD_VALUES = ("\x00", "a\x00b", "²", "-1", "x" * 5000, "9" * 5000, "1e9", "' OR 1=1", "%")
EXCLUDED_PREFIXES = ("ledger/", "admin/")  # the ledger (pages and API) is fuzzed by its own test


@dataclass(frozen=True)
class ListURL:
    name: str
    route: str
    params: tuple[str, ...]
    api: bool


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full or "")
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern


def _form_params(form) -> list[str]:
    """The query-string names a form reads: a field's own name, or its sub-widgets' names (a range
    filter reads name_min and name_max)."""
    names = []
    for name, field in form.fields.items():
        widget = field.widget.get_context(name, None, {})["widget"]
        names.extend([sub["name"] for sub in widget.get("subwidgets", [])] or [name])
    return names


def _filterset_params(filterset_class) -> list[str]:
    model = filterset_class._meta.model
    request = RequestFactory().get("/")
    request.user = None
    return _form_params(filterset_class(data={}, queryset=model.objects.none(), request=request).form)


HISTORY_URLS: dict[str, str] = {}  # URL name of a change-history page -> its model's label


def list_urls() -> list[ListURL]:
    found: dict[str, ListURL] = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.lstrip("^").startswith(EXCLUDED_PREFIXES) or "ledger/" in route or "<format>" in route:
            continue
        callback = pattern.callback
        cls = getattr(callback, "cls", None)
        if cls is not None:  # an API route
            if (getattr(callback, "actions", None) or {}).get("get") != "list":
                continue
            filterset_class = getattr(cls, "filterset_class", None)
            params = _filterset_params(filterset_class) if filterset_class else []
            found[name] = ListURL(name, route, (*params, "page"), api=True)
            continue
        view_class = getattr(callback, "view_class", None)
        if view_class is None:
            continue
        if getattr(view_class, "filterset_class", None) is not None:
            params = _filterset_params(view_class.filterset_class)
        elif getattr(view_class, "search_form_class", None) is not None:
            params = _form_params(view_class.search_form_class())
        elif issubclass(view_class, RecordHistoryView):  # each app routes its records' history
            HISTORY_URLS[name] = callback.view_initkwargs["model"]._meta.label
            params = []
        else:
            continue
        found[name] = ListURL(name, route, (*params, "page"), api=False)
    return list(found.values())


LIST_URLS = list_urls()


def test_every_list_outside_the_ledger_is_fuzzed():
    names = {url.name for url in LIST_URLS}
    for expected in (
        "enterprises:list",
        "enterprises:carrier-list",
        "enterprises:import-list",
        "organizations:list",
        "organizations:member-list",
        "instructors:list",
        "portal:audit-search",
        "portal:access-log",
        "organizations:member-history",
        "enterprise-list",
        "carrier-list",
        "register-import-list",
        "organization-list",
        "member-list",
        "instructor-list",
        "assignment-list",
    ):
        assert expected in names
    assert not any(url.route.startswith(("ledger/", "api/v1/ledger/")) for url in LIST_URLS)
    members = next(url for url in LIST_URLS if url.name == "organizations:member-list")
    assert {"region", "workplace", "organization", "status"} <= set(members.params)


def _history_object(model_label: str, region):
    builders = {
        "enterprises.Enterprise": lambda: f.EnterpriseFactory(region=region),
        "enterprises.Carrier": lambda: f.CarrierFactory(region=region),
        "organizations.PartyOrganization": lambda: f.PartyOrganizationFactory(region=region),
        "organizations.PartyMember": lambda: f.PartyMemberFactory(region=region, phone="13812345678"),
        "instructors.Instructor": lambda: f.InstructorFactory(region=region),
        "instructors.Assignment": lambda: f.AssignmentFactory(
            instructor=f.InstructorFactory(region=region), enterprise=f.EnterpriseFactory(region=region)
        ),
    }
    if model_label not in builders:  # the records of an organization or an instructor (issue 10)
        return FACTORIES[model_label](region)
    return builders[model_label]()


def _url_of(list_url: ListURL, region) -> str:
    if list_url.name in HISTORY_URLS:
        return reverse(list_url.name, args=[_history_object(HISTORY_URLS[list_url.name], region).pk])
    return reverse(list_url.name)


@pytest.mark.parametrize("list_url", LIST_URLS, ids=[u.name for u in LIST_URLS])
def test_no_malformed_parameter_answers_a_server_error(list_url: ListURL):
    city = f.city()
    admin = f.UserFactory(username="fuzz_admin", role=Role.CITY_ADMIN, jurisdiction=city)
    district = f.district()
    f.PartyMemberFactory(region=district, phone="13812345678")
    if list_url.api:
        token, _ = Token.objects.get_or_create(user=admin)
        client = Client(headers={"authorization": f"Token {token.key}"})
    else:
        client = Client()
        client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    url = _url_of(list_url, district)
    assert client.get(url).status_code == 200, url

    failures = []
    for param in list_url.params:
        for value in BAD_VALUES:
            response = client.get(url, {param: value})
            if response.status_code >= 500:
                failures.append(f"{url}?{param}={value[:12]!r}: {response.status_code}")
            elif "\x00" in value and response.status_code != 400:
                failures.append(f"{url}?{param}={value[:12]!r}: a NUL byte answered {response.status_code}, not 400")
    assert not failures, "\n".join(failures)


def test_a_bad_filter_answers_400_with_the_reason_in_chinese_on_pages_and_api(staff):
    client = Client()
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/organizations/members/", {"organization": "²"})
    assert page.status_code == 400
    assert "筛选条件无效" in page.content.decode() and "党组织" in page.content.decode()
    assert client.get("/organizations/", {"region": "37\x0002"}).status_code == 400

    token, _ = Token.objects.get_or_create(user=staff)
    api = Client(headers={"authorization": f"Token {token.key}"})
    response = api.get("/api/v1/organizations/", {"region": "x" * 5000})
    assert response.status_code == 400 and "region" in response.json()
    nul = api.get("/api/v1/enterprises/", {"q": "\x00"})
    assert nul.status_code == 400 and "非法字符" in nul.json()["detail"]


def test_a_stranger_learns_nothing_from_a_malformed_parameter():
    """Signed out: the login redirect (page) or 401 (API) comes first, whatever the parameters."""
    assert Client().get("/organizations/members/", {"region": "\x00"}).status_code == 302
    assert Client().get("/api/v1/members/", {"region": "\x00"}).status_code == 401
