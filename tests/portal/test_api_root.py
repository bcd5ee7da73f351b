"""The API root at /api/v1/ lists every app's endpoints, though each app has its own router and
the floor names no app."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_the_endpoints_of_every_apps_router():
    client = APIClient()
    client.force_authenticate(f.UserFactory(jurisdiction=f.district()))
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert set(response.json()) == {
        "enterprises",
        "carriers",
        "register-imports",
        "organizations",
        "members",
        "instructors",
        "assignments",
        "ledger/rows",
    }
    assert response.json()["members"].endswith("/api/v1/members/")


def test_the_api_url_names_and_paths_are_unchanged():
    assert reverse("api-root") == "/api/v1/"
    assert reverse("member-list") == "/api/v1/members/"
    assert reverse("ledger-gap-list", kwargs={"gap": "no_organization"}) == "/api/v1/ledger/gaps/no_organization/"


def test_a_signed_out_caller_gets_no_api_root():
    assert APIClient().get("/api/v1/").status_code in (401, 403)
