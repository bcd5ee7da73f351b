"""No one is shown an action their role may not take: for each role, every navigation link, action
link and form shown on the main pages answers something other than 403 when followed (GET; a form
meant for POST answers 405 when allowed, 403 when not: the capability check comes first)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from enterprises.choices import ImportSource, ImportStatus
from enterprises.models import RegisterImport
from portal.choices import Role
from tests.factories import (
    AssignmentFactory,
    CarrierFactory,
    EnterpriseFactory,
    PartyMemberFactory,
    PartyOrganizationFactory,
    UserFactory,
    city,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<(?:a|link)\b[^>]*\bhref="([^"#][^"]*)"|<form\b[^>]*\baction="([^"]*)"')


@pytest.fixture
def world(taishan, daiyue):
    carrier = CarrierFactory(name="泰山科技园", region=taishan)
    enterprise = EnterpriseFactory(region=taishan, carrier=carrier, employee_count=60)
    PartyMemberFactory(region=taishan, workplace=enterprise)
    PartyOrganizationFactory(region=taishan, covered=[enterprise])
    AssignmentFactory(enterprise=enterprise, instructor__region=taishan)
    EnterpriseFactory(region=daiyue)  # another district's, never linked
    uploader = UserFactory(username="uploader", role=Role.COMMERCE_STAFF, jurisdiction=taishan)
    register = RegisterImport(
        source=ImportSource.REGISTRATION,
        original_name="登记名单.csv",
        sha256="0" * 64,
        size=10,
        region=taishan,
        uploaded_by=uploader,
        status=ImportStatus.VALIDATED,
    )
    register.file.save("roles.csv", ContentFile("统一社会信用代码\n".encode()), save=False)
    register.save()
    return {"enterprise": enterprise, "register": register}


def _user(role: str, taishan):
    jurisdiction = city() if role == Role.CITY_ADMIN else taishan
    return UserFactory(username=f"links_{role.lower()}", role=role, jurisdiction=jurisdiction)


def _links(html: str, page: str) -> set[str]:
    found = set()
    for href, action in LINK.findall(html):
        url = urljoin(page, (href or action).replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/static/", "/accounts/logout/")):
            continue
        found.add(url)
    return found


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.DISTRICT_STAFF, Role.COMMERCE_STAFF, Role.LEADER])
def test_every_link_and_button_shown_to_a_role_is_one_it_may_follow(role, taishan, world, media_root):
    client = Client()
    client.force_login(_user(role, taishan), backend="django.contrib.auth.backends.ModelBackend")
    home = client.get("/")
    assert home.status_code == 200
    pages = {"/"} | {url for url in _links(home.content.decode(), "/") if urlsplit(url).path.count("/") == 2}
    pages |= {
        reverse("enterprises:detail", args=[world["enterprise"].pk]),
        reverse("enterprises:import-list"),
        reverse("enterprises:import-detail", args=[world["register"].pk]),
    }
    refused = []
    followed = set()
    for page in sorted(pages):
        response = client.get(page)
        if response.status_code == 403:
            refused.append(f"{page} (a page linked from the navigation)")
            continue
        for url in sorted(_links(response.content.decode(), page) - followed):
            followed.add(url)
            if client.get(url).status_code == 403:
                refused.append(f"{url} (linked from {page})")
    assert len(followed) > 5  # the crawl really followed links (commerce staff see the fewest)
    assert not refused, f"{role} is shown links that answer 403: {refused}"


def test_a_leader_sees_no_upload_button_and_staff_do(taishan, world, media_root):
    upload = reverse("enterprises:import-upload")
    for role, shown in ((Role.LEADER, False), (Role.DISTRICT_STAFF, True), (Role.COMMERCE_STAFF, True)):
        client = Client()
        client.force_login(_user(role, taishan), backend="django.contrib.auth.backends.ModelBackend")
        html = client.get(reverse("enterprises:import-list")).content.decode()
        assert (f'href="{upload}"' in html) is shown, role
        detail = client.get(reverse("enterprises:import-detail", args=[world["register"].pk])).content.decode()
        assert ('id="confirm-form"' in detail) is shown, role


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
