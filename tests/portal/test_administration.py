"""系统管理 in the portal (portal/administration.py, the user and region services): city
administrators manage the users and regions of their own jurisdiction; every rule with its Chinese
message, the lockout lifted through the real login form, no password in the change log, the
region move through its confirmation page, 403 for every other role."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from portal.choices import AuditAction, RegionLevel, Role
from portal.models import AuditEvent, Region, User
from portal.services import (
    region_create,
    region_rename,
    user_create,
    user_reset_password,
    user_set_active,
    user_unlock,
    user_update,
)
from tests.factories import EnterpriseFactory, UserFactory, city, region

pytestmark = pytest.mark.django_db

PASSWORD = "Portal-test-2026!"
NEW_PASSWORD = "Another-pass-2027#"
LOGIN = "/accounts/login/"


@pytest.fixture
def city_admin(db):
    return UserFactory(username="city_admin", role=Role.CITY_ADMIN, jurisdiction=city())


@pytest.fixture
def taishan_admin(taishan):
    """An administrator whose jurisdiction is one district (泰山区)."""
    return UserFactory(username="taishan_admin", role=Role.CITY_ADMIN, jurisdiction=taishan)


@pytest.fixture
def street(taishan):
    return region("370902001000", "财源街道", RegionLevel.STREET, taishan)


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="203.0.113.9")


# --- services: users -----------------------------------------------------------------------------


def test_create_needs_a_jurisdiction_for_anyone_but_a_superuser(city_admin):
    with pytest.raises(ValidationError) as exc:
        user_create(
            username="nojur", full_name="无区域", role=Role.LEADER, jurisdiction=None, password=PASSWORD,
            acting_user=city_admin,
        )  # fmt: skip
    assert "请选择管辖区域" in _messages(exc.value)["jurisdiction"][0]
    assert not User.objects.filter(username="nojur").exists()


def test_a_district_admin_cannot_create_a_user_in_another_district(taishan_admin, daiyue):
    with pytest.raises(ValidationError) as exc:
        user_create(
            username="dy", full_name="岱岳人", role=Role.DISTRICT_STAFF, jurisdiction=daiyue, password=PASSWORD,
            acting_user=taishan_admin,
        )  # fmt: skip
    assert _messages(exc.value)["jurisdiction"] == ["只能把用户设在您的管辖区域（泰山区）之内"]


def test_the_initial_password_must_pass_the_password_validators(city_admin, taishan):
    with pytest.raises(ValidationError) as exc:
        user_create(
            username="weak", full_name="弱密码", role=Role.LEADER, jurisdiction=taishan, password="12345678",
            acting_user=city_admin,
        )  # fmt: skip
    assert _messages(exc.value)["password"]
    assert not User.objects.filter(username="weak").exists()


def test_a_created_user_signs_in_with_the_password_the_admin_set(city_admin, street):
    user = user_create(
        username="new_staff", full_name="新同事", role=Role.DISTRICT_STAFF, jurisdiction=street, password=PASSWORD,
        acting_user=city_admin,
    )  # fmt: skip
    assert user.jurisdiction == street and user.check_password(PASSWORD)
    assert _login(Client(), "new_staff", PASSWORD).status_code == 302


def test_only_administrators_manage_users(staff, taishan):
    with pytest.raises(PermissionDenied, match="只有管理员可以管理用户"):
        user_create(
            username="x", full_name="x", role=Role.LEADER, jurisdiction=taishan, password=PASSWORD, acting_user=staff
        )


def test_an_admin_cannot_edit_a_user_of_another_district(taishan_admin, outsider):
    with pytest.raises(PermissionDenied, match="该用户不在您的管辖区域内"):
        user_update(
            user=outsider, full_name="改名", role=Role.LEADER, jurisdiction=outsider.jurisdiction,
            acting_user=taishan_admin,
        )  # fmt: skip


def test_nobody_demotes_themselves_or_narrows_their_own_jurisdiction(city_admin, taishan):
    with pytest.raises(ValidationError) as exc:
        user_update(
            user=city_admin, full_name="管理员", role=Role.LEADER, jurisdiction=city_admin.jurisdiction,
            acting_user=city_admin,
        )  # fmt: skip
    assert _messages(exc.value)["role"] == ["不能修改自己的角色"]
    with pytest.raises(ValidationError) as exc:
        user_update(
            user=city_admin, full_name="管理员", role=Role.CITY_ADMIN, jurisdiction=taishan, acting_user=city_admin
        )
    assert _messages(exc.value)["jurisdiction"] == ["不能修改自己的管辖区域"]
    city_admin.refresh_from_db()
    assert city_admin.role == Role.CITY_ADMIN and city_admin.jurisdiction == city()


def test_update_changes_role_jurisdiction_and_name(city_admin, staff, daiyue):
    user_update(user=staff, full_name="调岗同事", role=Role.LEADER, jurisdiction=daiyue, acting_user=city_admin)
    staff.refresh_from_db()
    assert (staff.full_name, staff.role, staff.jurisdiction) == ("调岗同事", Role.LEADER, daiyue)


def test_an_admin_cannot_deactivate_themselves(city_admin):
    with pytest.raises(ValidationError) as exc:
        user_set_active(user=city_admin, active=False, reason="测试", acting_user=city_admin)
    assert _messages(exc.value)["reason"] == ["不能停用自己的账号"]
    city_admin.refresh_from_db()
    assert city_admin.is_active


def test_deactivation_needs_a_reason_and_is_in_the_change_log_with_it(city_admin, staff):
    with pytest.raises(ValidationError) as exc:
        user_set_active(user=staff, active=False, reason=" ", acting_user=city_admin)
    assert _messages(exc.value)["reason"] == ["请填写停用原因"]
    user_set_active(user=staff, active=False, reason="调离组织部", acting_user=city_admin)
    staff.refresh_from_db()
    assert not staff.is_active
    event = AuditEvent.objects.filter(table_name="portal_user", object_id=str(staff.pk), action=AuditAction.UPDATE)
    event = event.latest("id")
    assert event.changes == {"is_active": [True, False]}
    assert event.actor_id == city_admin.pk and event.context == "user_set_active:调离组织部"
    assert _login(Client(), staff.username, PASSWORD).status_code == 200  # refused: inactive
    user_set_active(user=staff, active=True, reason="", acting_user=city_admin)
    assert _login(Client(), staff.username, PASSWORD).status_code == 302


def test_a_reset_password_replaces_the_old_one_and_never_reaches_the_change_log(city_admin, staff):
    created = user_create(
        username="fresh", full_name="新人", role=Role.LEADER, jurisdiction=staff.jurisdiction, password=PASSWORD,
        acting_user=city_admin,
    )  # fmt: skip
    user_reset_password(user=staff, password=NEW_PASSWORD, acting_user=city_admin)
    assert _login(Client(), staff.username, PASSWORD).status_code == 200
    assert _login(Client(), staff.username, NEW_PASSWORD).status_code == 302
    for user in (created, staff):
        user.refresh_from_db()
        for event in AuditEvent.objects.filter(table_name="portal_user", object_id=str(user.pk)):
            assert "password" not in event.changes
            assert user.password not in str(event.changes)
    inserted = AuditEvent.objects.get(table_name="portal_user", object_id=str(created.pk), action=AuditAction.INSERT)
    assert inserted.changes["username"] == "fresh"


def test_a_reset_password_must_pass_the_validators(city_admin, staff):
    with pytest.raises(ValidationError) as exc:
        user_reset_password(user=staff, password="password", acting_user=city_admin)
    assert _messages(exc.value)["password"]


def test_unlock_lets_a_locked_out_user_sign_in_again(settings, city_admin, staff):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, staff.username, "wrong-password")
    assert _login(client, staff.username, PASSWORD).status_code == 429  # locked out

    listing = _client(city_admin).get(reverse("portal:user-list"))
    assert staff.username in listing.context["locked"]

    assert user_unlock(user=staff, acting_user=city_admin) >= 1
    assert _login(client, staff.username, PASSWORD).status_code == 302


def test_an_admin_of_one_district_cannot_unlock_a_user_of_another(taishan_admin, outsider):
    with pytest.raises(PermissionDenied, match="该用户不在您的管辖区域内"):
        user_unlock(user=outsider, acting_user=taishan_admin)


# --- services: regions ---------------------------------------------------------------------------


def test_a_street_is_created_under_a_district_with_a_12_digit_code(city_admin, taishan):
    street = region_create(parent=taishan, code="370902009000", name="新设街道", acting_user=city_admin)
    assert street.level == RegionLevel.STREET and street.path == "370900/370902/370902009000/"
    community = region_create(parent=street, code="370902009001", name="新设社区", acting_user=city_admin)
    assert community.level == RegionLevel.COMMUNITY and community.parent == street


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("370902", "街道乡镇、社区村的区划代码应为 12 位统计用区划代码"),
        ("37090200100a", "街道乡镇、社区村的区划代码应为 12 位统计用区划代码"),
        ("370911001000", "区划代码应以上级区划代码“370902”开头"),
    ],
)
def test_a_bad_region_code_is_refused_beside_the_code(city_admin, taishan, code, message):
    with pytest.raises(ValidationError) as exc:
        region_create(parent=taishan, code=code, name="错误街道", acting_user=city_admin)
    assert _messages(exc.value)["code"] == [message]


def test_a_duplicate_region_code_is_refused(city_admin, taishan, street):
    with pytest.raises(ValidationError) as exc:
        region_create(parent=taishan, code=street.code, name="重复", acting_user=city_admin)
    assert "code" in _messages(exc.value)


def test_regions_are_created_only_below_districts_and_streets(city_admin):
    with pytest.raises(ValidationError) as exc:
        region_create(parent=city(), code="370999000000", name="新区", acting_user=city_admin)
    assert _messages(exc.value)["parent"] == ["只能在区县下新增街道乡镇，或在街道乡镇下新增社区村"]


def test_an_admin_of_one_district_cannot_add_or_rename_regions_of_another(taishan_admin, daiyue):
    with pytest.raises(ValidationError) as exc:
        region_create(parent=daiyue, code="370911009000", name="越界街道", acting_user=taishan_admin)
    assert _messages(exc.value)["parent"] == ["所选区域不在您的管辖区域内"]
    with pytest.raises(PermissionDenied, match="该区域不在您的管辖区域内"):
        region_rename(region=daiyue, name="改名", acting_user=taishan_admin)


def test_rename_keeps_the_code_and_the_tree(city_admin, street):
    region_rename(region=street, name="财源街道办事处", acting_user=city_admin)
    street.refresh_from_db()
    assert street.name == "财源街道办事处" and street.path == "370900/370902/370902001000/"


# --- pages ---------------------------------------------------------------------------------------


def test_the_navigation_shows_the_administration_section_to_administrators_only(city_admin, staff):
    page = _client(city_admin).get("/").content.decode()
    assert "系统管理" in page and reverse("portal:user-list") in page and reverse("portal:region-list") in page
    assert "系统管理" not in _client(staff).get("/").content.decode()


def test_the_user_list_searches_filters_and_stays_inside_the_jurisdiction(taishan_admin, staff, outsider):
    client = _client(taishan_admin)
    names = {u.username for u in client.get(reverse("portal:user-list")).context["object_list"]}
    assert names == {"taishan_admin", "taishan_staff"}  # never 岱岳区's staff
    found = client.get(
        reverse("portal:user-list"), {"q": "taishan_s", "role": Role.DISTRICT_STAFF, "is_active": "true"}
    )
    assert [u.username for u in found.context["object_list"]] == ["taishan_staff"]
    assert client.get(reverse("portal:user-detail", args=[outsider.pk])).status_code == 404
    assert client.get(reverse("portal:user-update", args=[outsider.pk])).status_code == 404


def test_the_user_list_exports_the_filtered_rows(city_admin, staff, outsider):
    response = _client(city_admin).get(reverse("portal:user-list"), {"q": "daiyue", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_creating_a_user_through_the_page_with_a_generated_password_shows_it_once(city_admin, taishan):
    client = _client(city_admin)
    form = client.get(reverse("portal:user-create")).context["form"]
    response = client.post(
        reverse("portal:user-create"),
        {
            "username": "gen_user", "full_name": "生成密码", "role": Role.LEADER, "jurisdiction": taishan.pk,
            "password_mode": "generate", "form_token": form["form_token"].value(),
        },
    )  # fmt: skip
    user = User.objects.get(username="gen_user")
    assert response.status_code == 302 and response["Location"] == reverse("portal:user-detail", args=[user.pk])
    page = client.get(response["Location"])
    password = page.context["generated_password"]
    assert user.check_password(password)
    assert "只显示这一次" in page.content.decode()
    assert "generated_password" not in client.get(response["Location"]).context  # once
    assert _login(Client(), "gen_user", password).status_code == 302


def test_the_create_page_puts_the_messages_beside_the_fields(taishan_admin, daiyue):
    client = _client(taishan_admin)
    response = client.post(
        reverse("portal:user-create"),
        {
            "username": "x1", "full_name": "某人", "role": Role.LEADER, "jurisdiction": "",
            "password_mode": "set", "password": PASSWORD, "password_confirm": "different",
        },
    )  # fmt: skip
    assert response.context["form"].errors["password_confirm"] == ["两次输入的密码不一致"]
    response = client.post(
        reverse("portal:user-create"),
        {
            "username": "x1", "full_name": "某人", "role": Role.LEADER, "jurisdiction": "",
            "password_mode": "set", "password": PASSWORD, "password_confirm": PASSWORD,
        },
    )  # fmt: skip
    assert "请选择管辖区域" in response.context["form"].errors["jurisdiction"][0]
    response = client.post(
        reverse("portal:user-create"),
        {
            "username": "x1", "full_name": "某人", "role": Role.LEADER, "jurisdiction": daiyue.pk,
            "password_mode": "set", "password": PASSWORD, "password_confirm": PASSWORD,
        },
    )  # fmt: skip
    assert response.context["form"].errors["jurisdiction"] == ["所选记录不存在或不在您的管辖区域内"]
    assert not User.objects.filter(username="x1").exists()


def test_the_deactivate_page_asks_for_a_reason_and_hides_the_button_for_oneself(city_admin, staff):
    client = _client(city_admin)
    url = reverse("portal:user-set-active", args=[staff.pk])
    assert "确认停用用户" in client.get(url).content.decode()
    response = client.post(url, {"reason": "离职"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert not staff.is_active
    own = client.get(reverse("portal:user-detail", args=[city_admin.pk])).content.decode()
    assert reverse("portal:user-set-active", args=[city_admin.pk]) not in own
    response = client.post(reverse("portal:user-set-active", args=[city_admin.pk]), {"reason": "试试"})
    assert response.context["form"].errors["reason"] == ["不能停用自己的账号"]


def test_the_reset_page_sets_the_password_the_admin_typed(city_admin, staff):
    client = _client(city_admin)
    url = reverse("portal:user-reset-password", args=[staff.pk])
    assert "不能强制用户下次登录时修改密码" in client.get(url).content.decode()
    response = client.post(url, {"password_mode": "set", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)


def test_the_unlock_button_lifts_the_lockout(settings, city_admin, staff):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, staff.username, "wrong-password")
    admin = _client(city_admin)
    assert "已锁定" in admin.get(reverse("portal:user-list")).content.decode()
    response = admin.post(reverse("portal:user-unlock", args=[staff.pk]), {"next": "list"}, follow=True)
    assert "已解除锁定" in response.content.decode()
    assert staff.username not in response.context["locked"]
    assert _login(client, staff.username, PASSWORD).status_code == 302


def test_the_region_tree_shows_the_jurisdiction_only(taishan_admin, street, daiyue):
    page = _client(taishan_admin).get(reverse("portal:region-list"))
    names = [r.name for r in page.context["tree"]]
    assert names == ["泰山区", "财源街道"]


def test_a_street_is_added_through_the_page(city_admin, taishan):
    client = _client(city_admin)
    response = client.post(
        reverse("portal:region-create"), {"parent": taishan.pk, "code": "370902011000", "name": "新街道"}
    )
    assert response.status_code == 302
    assert Region.objects.get(code="370902011000").parent == taishan
    response = client.post(reverse("portal:region-create"), {"parent": taishan.pk, "code": "3709", "name": "坏"})
    assert response.context["form"].errors["code"] == ["街道乡镇、社区村的区划代码应为 12 位统计用区划代码"]


def test_moving_a_street_through_the_page_confirms_the_counts_then_moves_the_subtree(city_admin, street, daiyue):
    community = region("370902001001", "财源社区", RegionLevel.COMMUNITY, street)
    EnterpriseFactory(region=community)
    EnterpriseFactory(region=street)
    client = _client(city_admin)
    url = reverse("portal:region-move", args=[street.pk])
    assert daiyue in client.get(url).context["form"].fields["new_parent"].queryset

    confirm = client.post(url, {"new_parent": daiyue.pk, "form_token": "t-move"})
    text = confirm.content.decode()
    assert "确认调整隶属" in text and "2 个区域（含自身）" in text and "企业：2" in text
    street.refresh_from_db()
    assert street.parent_id != daiyue.pk  # nothing moved yet

    done = client.post(url, {"new_parent": daiyue.pk, "confirmed": "True", "form_token": "t-move"})
    assert done.status_code == 302 and done["Location"] == reverse("portal:region-list")
    community.refresh_from_db()
    assert community.path == "370900/370911/370902001000/370902001001/"
    street.refresh_from_db()
    assert street.parent == daiyue


def test_a_district_admin_cannot_move_into_another_district(taishan_admin, street, daiyue):
    client = _client(taishan_admin)
    response = client.post(reverse("portal:region-move", args=[street.pk]), {"new_parent": daiyue.pk})
    assert "new_parent" in response.context["form"].errors
    street.refresh_from_db()
    assert street.parent.code == "370902"


@pytest.mark.parametrize("role", [Role.DISTRICT_STAFF, Role.COMMERCE_STAFF, Role.LEADER, Role.API_CLIENT])
def test_every_administration_page_answers_403_to_other_roles(role, taishan, street, staff):
    client = _client(UserFactory(username=f"r_{role.lower()}", role=role, jurisdiction=taishan))
    get_urls = [
        reverse("portal:user-list"),
        reverse("portal:user-create"),
        reverse("portal:user-detail", args=[staff.pk]),
        reverse("portal:user-update", args=[staff.pk]),
        reverse("portal:user-set-active", args=[staff.pk]),
        reverse("portal:user-reset-password", args=[staff.pk]),
        reverse("portal:region-list"),
        reverse("portal:region-create"),
        reverse("portal:region-rename", args=[street.pk]),
        reverse("portal:region-move", args=[street.pk]),
        reverse("portal:region-autocomplete"),
        reverse("portal:region-parent-autocomplete"),
    ]
    for url in get_urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("portal:user-unlock", args=[staff.pk])).status_code == 403
    assert "系统管理" not in client.get("/").content.decode()


def test_a_double_submit_of_one_create_form_creates_one_user(city_admin, taishan):
    client = _client(city_admin)
    data = {
        "username": "twice", "full_name": "两次", "role": Role.LEADER, "jurisdiction": taishan.pk,
        "password_mode": "set", "password": PASSWORD, "password_confirm": PASSWORD, "form_token": "same-token",
    }  # fmt: skip
    first, second = client.post(reverse("portal:user-create"), data), client.post(reverse("portal:user-create"), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert User.objects.filter(username="twice").count() == 1


def test_the_list_and_the_tree_take_a_fixed_number_of_queries(
    city_admin, taishan, street, django_assert_max_num_queries
):
    for n in range(30):
        UserFactory(username=f"bulk{n}", jurisdiction=taishan)
        region(f"370902{100 + n:03d}000", f"街道{n}", RegionLevel.STREET, taishan)
    client = _client(city_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal:user-list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("portal:region-list")).status_code == 200
