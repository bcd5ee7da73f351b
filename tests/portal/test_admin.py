"""The admin speaks Chinese only, and refuses a user who would see nothing (no jurisdiction)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from portal.choices import Role
from portal.models import User
from tests.factories import UserFactory, city

pytestmark = pytest.mark.django_db

NO_JURISDICTION = "请选择管辖区域：除超级用户外，每个用户都必须有管辖区域，否则看不到任何数据"
PASSWORD = "Portal-admin-2026!"

# Labels of Django's own admin and of the apps it shows that stay English when a catalog lacks them.
ENGLISH_LABELS = (
    "Personal info",
    "Permissions",
    "Important dates",
    "Groups",
    "Group",
    "User permissions",
    "Can add",
    "Username",
    "Password",
    "Staff status",
    "Superuser status",
    "Active",
    "Save",
    "Model name",
    "Add link",
    "Change or view list link",
    "After you",
    "Axes",
    "Access attempts",
    "Access failures",
    "Access logs",
    "access attempt",
    "Filter",
    "Token",
)
# Words allowed in a Chinese page: proper nouns and the signed-in user's own name.
ALLOWED_LATIN = {"LDAP", "IP", "HTTP", "Accept", "GET", "POST", "SHA", "root"}


@pytest.fixture
def root(db):
    return UserFactory(username="root", full_name="", is_superuser=True, is_staff=True, jurisdiction=None)


@pytest.fixture
def admin_client(root) -> Client:
    client = Client()
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _visible_text(html: str) -> str:
    # <bdi> holds data, not labels: the user's name, the password hash's algorithm and salt.
    html = re.sub(r"<(script|style|bdi)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _add_user(admin_client, **fields):
    data = {
        "username": "new_staff",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "新用户",
        "role": Role.DISTRICT_STAFF,
        "jurisdiction": "",
    }
    data.update(fields)
    return admin_client.post("/admin/portal/user/add/", data)


def test_the_admin_refuses_a_user_without_jurisdiction_in_chinese(admin_client):
    response = _add_user(admin_client)
    assert response.status_code == 200  # the form again, with the error
    assert NO_JURISDICTION in response.content.decode()
    assert not User.objects.filter(username="new_staff").exists()


def test_the_admin_saves_a_user_with_a_jurisdiction(admin_client, taishan):
    response = _add_user(admin_client, jurisdiction=taishan.pk)
    assert response.status_code == 302
    assert User.objects.get(username="new_staff").jurisdiction == taishan


def test_the_admin_refuses_to_take_a_users_jurisdiction_away(admin_client, staff):
    response = admin_client.post(
        f"/admin/portal/user/{staff.pk}/change/",
        {
            "username": staff.username,
            "full_name": staff.full_name,
            "email": "",
            "role": staff.role,
            "jurisdiction": "",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 200
    assert NO_JURISDICTION in response.content.decode()
    staff.refresh_from_db()
    assert staff.jurisdiction is not None


@pytest.mark.parametrize("role", Role.values)
def test_every_role_needs_a_jurisdiction(role):
    with pytest.raises(ValidationError) as refused:
        User(username="x", role=role).clean()
    assert refused.value.message_dict == {"jurisdiction": [NO_JURISDICTION]}


def test_a_superuser_may_have_no_jurisdiction():
    User(username="root", role=Role.CITY_ADMIN, is_superuser=True).clean()


def test_a_user_with_a_jurisdiction_is_valid(taishan):
    User(username="x", role=Role.LEADER, jurisdiction=taishan).clean()


def test_the_portal_speaks_simplified_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_the_admin_pages_carry_no_english_labels(admin_client, staff, outsider):
    city_admin = UserFactory(username="city_admin", role=Role.CITY_ADMIN, is_staff=True, jurisdiction=city())
    pages = [
        "/admin/",
        "/admin/portal/user/",
        "/admin/portal/user/add/",
        f"/admin/portal/user/{staff.pk}/change/",
        f"/admin/portal/user/{city_admin.pk}/change/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = _visible_text(response.content.decode())
        for label in ENGLISH_LABELS:
            assert label not in text, f"{url} shows {label!r}"
        words = set(re.findall(r"[A-Za-z]{2,}(?: [A-Za-z]{2,})*", text)) - ALLOWED_LATIN
        assert not {w for w in words if " " in w or w[0].isupper()}, f"{url}: {sorted(words)}"


def test_the_user_forms_offer_role_and_jurisdiction_not_django_groups(admin_client, staff):
    html = admin_client.get(f"/admin/portal/user/{staff.pk}/change/").content.decode()
    assert 'name="jurisdiction"' in html
    assert 'name="role"' in html
    assert 'name="groups"' not in html
    assert 'name="user_permissions"' not in html
    assert "角色与管辖区域" in html
    assert admin_client.get("/admin/auth/group/").status_code == 404
