"""The permission matrix, generated from the URL configuration and the API router.

For every named URL (pages, API list/detail/actions) × every subject (the five roles, a signed-out
visitor, an inactive user, a user with no jurisdiction) × an object inside and one outside the
user's region, the answer must be the one the view's declared rule and the role table give:

pages   signed out → 302 to login · role lacks the capability → 403 · object not visible → 404 · else 200
API     signed out / inactive token → 401 · lacks the capability → 403 · not visible → 404 · else 2xx/400

The expectation is derived from the *declaration* (`required_capability` on a page view;
`read_capability` / `write_capability` / `action_capabilities` on a viewset) and from where the
test put the object, never from the scoping code under test. A URL whose view declares no rule,
has a path argument the matrix does not know, or serves a model with no factory below fails
with a message naming the URL: add the declaration, the sample value or the factory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from rest_framework.authtoken.models import Token
from rest_framework.viewsets import ReadOnlyModelViewSet

from assessments.choices import Dimension, SnapshotStatus
from assessments.models.ledger import LedgerPeriod, LedgerRow, LedgerSnapshot
from enterprises.models import RegisterImport
from instructors.models import FirstSecretaryAppointment, Stipend, Training
from organizations.models import ExcellenceSystem, OrgLifeRecord
from portal.api import ANY_SIGNED_IN, capability_for
from portal.choices import Role
from portal.models import Region
from portal.permissions import ROLE_CAPABILITIES, Capability
from portal.views import ScopedListView
from tests import factories as f

# --- the subjects ------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
INACTIVE = "inactive"
NO_JURISDICTION = "no_jurisdiction"
SUBJECTS = [ANONYMOUS, INACTIVE, NO_JURISDICTION, *Role.values]

# Everyone but the city administrator works in 泰山区; the city administrator's jurisdiction is
# 泰安市. The "inside" object is in 泰山区, the "outside" one in 岱岳区 (another district of the city:
# outside for district users, inside for the city administrator).
INSIDE, OUTSIDE = "inside", "outside"


def make_subject(subject: str):
    if subject == ANONYMOUS:
        return None
    if subject == INACTIVE:
        return f.UserFactory(
            username="m_inactive", role=Role.DISTRICT_STAFF, jurisdiction=f.district(), is_active=False
        )
    if subject == NO_JURISDICTION:
        return f.UserFactory(username="m_nojur", role=Role.DISTRICT_STAFF, jurisdiction=None)
    jurisdiction = f.city() if subject == Role.CITY_ADMIN else f.district()
    return f.UserFactory(username=f"m_{subject.lower()}", role=subject, jurisdiction=jurisdiction)


def subject_capabilities(subject: str) -> frozenset:
    if subject in (ANONYMOUS, INACTIVE):
        return frozenset()
    if subject == NO_JURISDICTION:
        return ROLE_CAPABILITIES[Role.DISTRICT_STAFF]
    return ROLE_CAPABILITIES[subject]


def subject_region(subject: str) -> Region | None:
    if subject in (ANONYMOUS, INACTIVE, NO_JURISDICTION):
        return None
    return f.city() if subject == Role.CITY_ADMIN else f.district()


# --- objects: one builder per model a URL with <pk> serves -------------------------------------
# A builder takes the region the object must belong to. Add one when you add a URL for a model.


def _register_import(region: Region):
    uploader = f.UserFactory(username=f"uploader_{region.code}", role=Role.COMMERCE_STAFF, jurisdiction=region)
    record = RegisterImport(
        source=RegisterImport._meta.get_field("source").choices[0][0],
        original_name="登记名单.csv",
        sha256="0" * 64,
        size=10,
        region=region,
        uploaded_by=uploader,
    )
    record.file.save("matrix.csv", ContentFile("统一社会信用代码\n".encode()), save=False)
    record.save()
    return record


def _ledger_period(region: Region):
    return LedgerPeriod.objects.create(region=region, name="2026年第四季度", as_of=dt.date(2026, 9, 30))


def _ledger_row(region: Region):
    snapshot, _ = LedgerSnapshot.objects.get_or_create(
        as_of=timezone.localdate(), period=None, defaults={"status": SnapshotStatus.COMPLETE}
    )
    return LedgerRow.objects.create(snapshot=snapshot, dimension=Dimension.REGION, region=region)


FACTORIES: dict[str, Callable[[Region], models.Model]] = {
    "enterprises.Enterprise": lambda region: f.EnterpriseFactory(region=region),
    "enterprises.Carrier": lambda region: f.CarrierFactory(region=region),
    "enterprises.RegisterImport": _register_import,
    "organizations.PartyOrganization": lambda region: f.PartyOrganizationFactory(region=region),
    "organizations.PartyMember": lambda region: f.PartyMemberFactory(region=region, id_number="", phone="13812345678"),
    "instructors.Instructor": lambda region: f.InstructorFactory(region=region, phone="13912345678"),
    "instructors.Assignment": lambda region: f.AssignmentFactory(
        instructor=f.InstructorFactory(region=region), enterprise=f.EnterpriseFactory(region=region)
    ),
    "organizations.OrgLifeRecord": lambda region: OrgLifeRecord.objects.create(
        organization=f.PartyOrganizationFactory(region=region),
        kind="PARTY_LESSON",
        held_on=dt.date(2024, 5, 1),
        topic="党课",
    ),
    "organizations.ExcellenceSystem": lambda region: ExcellenceSystem.objects.create(
        organization=f.PartyOrganizationFactory(region=region), name="制度", adopted_on=dt.date(2024, 3, 1)
    ),
    "instructors.FirstSecretaryAppointment": lambda region: FirstSecretaryAppointment.objects.create(
        organization=f.PartyOrganizationFactory(region=region), name="第一书记", start_on=dt.date(2024, 1, 1)
    ),
    "instructors.Training": lambda region: Training.objects.create(
        title="培训", audience="SECRETARY", region=region, held_on=dt.date(2024, 5, 1), hours=4, participant_count=10
    ),
    "instructors.Stipend": lambda region: Stipend.objects.create(
        instructor=f.InstructorFactory(region=region), year=2024, month=5, amount=500
    ),
    "assessments.LedgerPeriod": _ledger_period,
    "assessments.LedgerRow": _ledger_row,
    # 系统管理 (portal/administration.py): a user of the region; a street under it (a street is
    # what 调整隶属 moves).
    "portal.User": lambda region: f.UserFactory(username=f"managed_{region.code}", jurisdiction=region),
    "portal.Region": lambda region: f.region(f"{region.code}001000", f"{region.name}测试街道", "STREET", region),
}

# A URL whose object must be more than a plain row of its model (a gap list's enterprise must be
# in that gap). Key: URL name.
URL_FACTORIES: dict[str, Callable[[Region], models.Model]] = {
    # KWARG_SAMPLES["gap"] is 50人以上无党员: an existing enterprise of 60 without members.
    "ledger-gap-detail": lambda region: f.EnterpriseFactory(region=region, employee_count=60),
    "ledger-gap-list": lambda region: f.EnterpriseFactory(region=region, employee_count=60),
}

# Models whose rows a role sees only with an extra capability, wherever they appear (the scoping
# rule, DOMAIN.md: commerce-bureau staff never see members; they keep enterprise basic data only,
# so party organizations, instructors and their assignments need VIEW_PARTY).
MODEL_CAPABILITY = {
    "organizations.PartyMember": Capability.VIEW_MEMBERS,
    "organizations.PartyOrganization": Capability.VIEW_PARTY,
    "instructors.Instructor": Capability.VIEW_PARTY,
    "instructors.Assignment": Capability.VIEW_PARTY,
    "organizations.OrgLifeRecord": Capability.VIEW_PARTY,
    "organizations.ExcellenceSystem": Capability.VIEW_PARTY,
    "instructors.FirstSecretaryAppointment": Capability.VIEW_PARTY,
    "instructors.Training": Capability.VIEW_PARTY,
    "instructors.Stipend": Capability.VIEW_PARTY,
}

# The model behind a <pk> URL whose view does not declare `model` (it looks the object up itself).
# Better: declare `model = ...` on the view; this map is for views that cannot.
URL_MODELS: dict[str, str] = {
    "enterprises:import-status": "enterprises.RegisterImport",
    "enterprises:import-confirm": "enterprises.RegisterImport",
    "enterprises:import-cancel": "enterprises.RegisterImport",
    "enterprises:import-errors": "enterprises.RegisterImport",
    "assessments:period-action": "assessments.LedgerPeriod",
    # records created under an organization: <pk> is the organization's
    "organizations:life-create": "organizations.PartyOrganization",
    "organizations:life-attendee-autocomplete": "organizations.PartyOrganization",
    "organizations:excellence-create": "organizations.PartyOrganization",
}

# Sample values for path arguments other than <pk>. Key: argument name.
KWARG_SAMPLES: dict[str, object] = {
    "gap": "fifty_no_members",  # a gap list (assessments.rules.FIGURES, gap=True)
    "action": "check",  # a ledger period's 校核
}

# Query strings a page needs to answer at all. Key: URL name.
URL_QUERY: dict[str, dict[str, str]] = {
    "assessments:enterprises": {"figure": "enterprises"},
}


# --- the URL configuration, walked -------------------------------------------------------------


@dataclass
class Endpoint:
    name: str
    route: str
    callback: Callable
    kwargs: tuple[str, ...]
    problems: list[str] = field(default_factory=list)

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns or "")
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield prefix + str(pattern.pattern), namespace, name, pattern


SKIPPED_NAMESPACES = ("admin",)  # covered by one rule below: only superusers and city administrators


def endpoints() -> list[Endpoint]:
    found: dict[tuple[str, tuple[str, ...]], Endpoint] = {}
    for route, namespace, name, pattern in _walk(get_resolver().url_patterns):
        if namespace.split(":")[0] in SKIPPED_NAMESPACES or route.startswith(settings.STATIC_URL.lstrip("/")):
            continue
        kwargs = tuple(sorted(pattern.pattern.regex.groupindex))
        if "format" in kwargs:
            continue  # DRF's format-suffix twin of a route already listed
        endpoint = Endpoint(name or f"<unnamed {route}>", route, pattern.callback, kwargs)
        if not name:
            endpoint.problems.append(f"URL {route!r} has no name: name it so that the matrix can reverse it")
        found.setdefault((endpoint.name, kwargs), endpoint)
    return list(found.values())


# --- what a URL declares -----------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    endpoint: Endpoint
    method: str
    action: str | None = None

    @property
    def id(self) -> str:
        return f"{self.endpoint.name}[{self.method}]"


def probes() -> list[Probe]:
    result = []
    for endpoint in endpoints():
        callback = endpoint.callback
        if endpoint.is_api:
            actions = getattr(callback, "actions", None)
            if actions:
                for method, action in actions.items():
                    if method != "put":  # PATCH stands for both updates
                        result.append(Probe(endpoint, method.upper(), action))
            else:
                result.append(Probe(endpoint, "GET"))
        else:
            view_class = getattr(callback, "view_class", None)
            allowed = getattr(view_class, "http_method_names", []) if view_class else []
            method = "GET" if view_class is None or ("get" in allowed and hasattr(view_class, "get")) else "POST"
            result.append(Probe(endpoint, method))
    return result


def _declared(view_class, initkwargs: dict, name: str):
    if name in initkwargs:
        return True, initkwargs[name]
    if hasattr(view_class, name):
        return True, getattr(view_class, name)
    return False, None


def page_rule(endpoint: Endpoint) -> tuple[str, object]:
    """("public", None) | ("capability", Capability or None = any signed-in user)."""
    view_class = getattr(endpoint.callback, "view_class", None)
    if view_class is None:
        pytest.fail(
            f"URL {endpoint.name} ({endpoint.route}) is a function view: make it a class with required_capability"
        )
    initkwargs = getattr(endpoint.callback, "view_initkwargs", {})
    if _declared(view_class, initkwargs, "public")[1]:
        return "public", None
    declared, capability = _declared(view_class, initkwargs, "required_capability")
    if not declared:
        pytest.fail(
            f"URL {endpoint.name} ({endpoint.route}): view {view_class.__name__} declares no rule — "
            "set required_capability (None = any signed-in user) on it"
        )
    return "capability", capability


def api_rule(probe: Probe):
    cls = probe.endpoint.callback.cls
    if not any(hasattr(cls, name) for name in ("read_capability", "write_capability", "required_capability")):
        pytest.fail(
            f"API URL {probe.endpoint.name} ({probe.endpoint.route}): {cls.__name__} declares no rule — "
            "derive from portal.api.ScopedModelViewSet and set read_capability/write_capability "
            "(or required_capability on a plain APIView)"
        )
    view = cls(**getattr(probe.endpoint.callback, "initkwargs", {}))
    view.action = probe.action
    return capability_for(view, probe.method)


def view_model(endpoint: Endpoint) -> str | None:
    if endpoint.name in URL_MODELS:
        return URL_MODELS[endpoint.name]
    callback = endpoint.callback
    if endpoint.is_api:
        cls = callback.cls
        model = getattr(cls, "model", None) or getattr(getattr(cls, "queryset", None), "model", None)
    else:
        view_class = callback.view_class
        initkwargs = getattr(callback, "view_initkwargs", {})
        model = initkwargs.get("model") or getattr(view_class, "model", None)
    return model._meta.label if model is not None else None


# --- expectations ------------------------------------------------------------------------------


def _visible(subject: str, model_label: str, where: str) -> bool:
    region = subject_region(subject)
    if region is None:
        return False
    needed = MODEL_CAPABILITY.get(model_label)
    if needed and needed not in subject_capabilities(subject):
        return False
    object_region = f.district() if where == INSIDE else f.other_district()
    return object_region.path.startswith(region.path)


def expected_page(probe: Probe, subject: str, model_label: str | None, where: str | None) -> str:
    kind, capability = page_rule(probe.endpoint)
    if kind == "public":
        return "public"
    if subject in (ANONYMOUS, INACTIVE):
        return "login"
    if capability is not None and capability not in subject_capabilities(subject):
        return "403"
    if where is not None and not _visible(subject, model_label, where):
        return "404"
    return "ok"


def expected_api(probe: Probe, subject: str, model_label: str | None, where: str | None) -> str:
    capability = api_rule(probe)
    if subject in (ANONYMOUS, INACTIVE):
        return "401"
    if capability != ANY_SIGNED_IN and (capability is None or capability not in subject_capabilities(subject)):
        return "403"
    if where is not None and not _visible(subject, model_label, where):
        return "404"
    return "ok"


# --- running one cell of the matrix ------------------------------------------------------------

PROBES = probes()


def _client_for(subject: str, user, api: bool) -> Client:
    client = Client()
    if user is None:
        return client
    if api:
        token, _ = Token.objects.get_or_create(user=user)
        return Client(headers={"authorization": f"Token {token.key}"})
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _request(client: Client, method: str, url: str, api: bool):
    if method == "GET":
        return client.get(url)
    if api:
        return client.generic(method, url, data="{}", content_type="application/json")
    return client.generic(method, url)


def _check_kwargs(endpoint: Endpoint) -> None:
    for problem in endpoint.problems:
        pytest.fail(problem)
    unknown = [name for name in endpoint.kwargs if name != "pk" and name not in KWARG_SAMPLES]
    if unknown:
        pytest.fail(
            f"URL {endpoint.name} ({endpoint.route}) takes {unknown}: add a sample value to KWARG_SAMPLES "
            "in tests/portal/test_permission_matrix.py"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("probe", PROBES, ids=[p.id for p in PROBES])
def test_every_url_answers_each_subject_as_its_rule_says(probe: Probe, subject: str, settings):
    endpoint = probe.endpoint
    _check_kwargs(endpoint)
    settings.AXES_ENABLED = True
    user = make_subject(subject)
    api = endpoint.is_api
    model_label = None
    places: list[str | None] = [None]
    if "pk" in endpoint.kwargs:
        model_label = view_model(endpoint)
        if model_label is None or model_label not in FACTORIES:
            pytest.fail(
                f"URL {endpoint.name} ({endpoint.route}) serves model {model_label or '(none declared)'} "
                "which has no factory in FACTORIES (tests/portal/test_permission_matrix.py): add one"
            )
        places = [INSIDE, OUTSIDE]
    if api and probe.action == "list":
        _check_api_list_content(probe, subject, user)
    for where in places:
        kwargs = {name: value for name, value in KWARG_SAMPLES.items() if name in endpoint.kwargs}
        if where is not None:
            region = f.district() if where == INSIDE else f.other_district()
            build = URL_FACTORIES.get(endpoint.name) or FACTORIES[model_label]
            kwargs["pk"] = build(region).pk
        url = reverse(endpoint.name, kwargs=kwargs)
        if endpoint.name in URL_QUERY:
            url += "?" + urlencode(URL_QUERY[endpoint.name])
        client = _client_for(subject, user, api)
        response = _request(client, probe.method, url, api)
        expected = (expected_api if api else expected_page)(probe, subject, model_label, where)
        _assert_answer(response, expected, probe, subject, where, url, api)


def _check_api_list_content(probe: Probe, subject: str, user) -> None:
    """An API list holds the inside object and never the outside one (for whoever may list)."""
    endpoint = probe.endpoint
    model_label = view_model(endpoint)
    build = URL_FACTORIES.get(endpoint.name) or FACTORIES.get(model_label or "")
    if build is None or expected_api(probe, subject, model_label, None) != "ok":
        return
    inside, outside = build(f.district()), build(f.other_district())
    kwargs = {name: value for name, value in KWARG_SAMPLES.items() if name in endpoint.kwargs}
    response = _client_for(subject, user, True).get(reverse(endpoint.name, kwargs=kwargs))
    assert response.status_code == 200, f"GET {endpoint.name} as {subject}: {response.status_code}"
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    if not rows or "id" not in rows[0]:
        if _visible(subject, model_label, INSIDE):
            pytest.fail(f"GET {endpoint.name} as {subject}: the inside object is missing (or rows have no id)")
        return
    ids = {row["id"] for row in rows}
    for obj, where in ((inside, INSIDE), (outside, OUTSIDE)):
        visible = _visible(subject, model_label, where)
        assert (obj.pk in ids) == visible, (
            f"GET {endpoint.name} as {subject}: the {where} object is {'missing' if visible else 'listed'}"
        )


def _assert_answer(response, expected: str, probe: Probe, subject: str, where, url: str, api: bool) -> None:
    status = response.status_code
    what = f"{probe.method} {url} ({probe.endpoint.name}) as {subject}" + (f", object {where}" if where else "")
    if expected == "public":
        ok = status == 200 if probe.method == "GET" else status in (200, 302)
        assert ok, f"{what}: public URL answered {status}"
    elif expected == "login":
        assert status == 302, f"{what}: expected a redirect to the login page, got {status}"
        assert response["Location"].startswith(reverse("login")), f"{what}: redirected to {response['Location']}"
    elif expected in ("401", "403", "404"):
        assert status == int(expected), f"{what}: expected {expected}, got {status}"
    elif api:
        allowed = {"GET": {200}, "PATCH": {200}, "DELETE": {204}}.get(probe.method, {200, 201, 202, 204, 400})
        assert status in allowed, f"{what}: expected {sorted(allowed)}, got {status}"
    else:
        allowed = {200} if probe.method == "GET" else {200, 302}
        assert status in allowed, f"{what}: expected {sorted(allowed)}, got {status}"
        if status == 302:
            assert not response["Location"].startswith(reverse("login")), f"{what}: sent to the login page"


# --- the rule for everything under /admin/ -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "is_staff", "is_superuser", "admitted"),
    [
        (Role.CITY_ADMIN, True, False, True),
        (Role.LEADER, True, True, True),
        (Role.CITY_ADMIN, False, False, False),
        (Role.DISTRICT_STAFF, True, False, False),
        (Role.COMMERCE_STAFF, True, False, False),
        (Role.LEADER, True, False, False),
        (Role.API_CLIENT, True, False, False),
    ],
)
def test_the_admin_opens_only_for_city_administrators_and_superusers(role, is_staff, is_superuser, admitted):
    user = f.UserFactory(role=role, is_staff=is_staff, is_superuser=is_superuser, jurisdiction=f.district())
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    for url in ("/admin/", "/admin/portal/auditevent/", "/admin/organizations/partymember/"):
        response = client.get(url)
        if admitted:
            assert response.status_code == 200, (url, role, response.status_code)
        else:
            assert response.status_code == 302, (url, role, response.status_code)
            assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_the_admin_sends_signed_out_visitors_to_its_login():
    response = Client().get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_every_url_is_in_the_matrix():
    """The matrix is not vacuous: the portal's own pages and API endpoints are all there."""
    names = {p.endpoint.name for p in PROBES}
    for expected in (
        "home",
        "login",
        "organizations:member-detail",
        "organizations:member-reveal",
        "portal:audit-search",
        "organizations:member-history",
        "member-list",
        "member-detail",
        "member-reveal",
        "member-lookup",
        "organizations:member-lookup",
        "instructors:lookup",
        "instructor-lookup",
        "api-root",
    ):
        assert expected in names


def test_a_url_whose_view_declares_no_rule_fails_the_matrix_naming_it():
    class Forgetful(TemplateView):  # no required_capability, no public
        pass

    class Declared(ScopedListView):
        pass

    class BareViewSet(ReadOnlyModelViewSet):  # not from ScopedModelViewSet, no capabilities
        pass

    page = path("new/", Forgetful.as_view(), name="new-page").callback
    endpoint = Endpoint("app:new-page", "new/", page, ())
    with pytest.raises(pytest.fail.Exception, match="app:new-page"):
        page_rule(endpoint)
    assert page_rule(Endpoint("ok", "ok/", Declared.as_view(), ())) == ("capability", Capability.VIEW_DATA)

    api = BareViewSet.as_view({"get": "list"})
    with pytest.raises(pytest.fail.Exception, match="bare-list"):
        api_rule(Probe(Endpoint("bare-list", "bare/", api, ()), "GET", "list"))
