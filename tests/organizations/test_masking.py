"""Masked personal data must stay masked: what a role without REVEAL_PERSONAL sees of a member (the
masked ID number, the birth year, the gender ...) must not narrow the ID number down to a handful
of guesses, and no page or API may confirm a guess for that role.

The attack this guards against: a 4+4 mask left the county digits 5–6 and the birth date hidden,
the page showed the birth date in clear, the check character left about ten counties, and an
exact `?id_number=` filter on the member list confirmed the right one (15 of 15 members' ID
numbers in 16 requests as a district leader)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from portal.choices import AccessKind, Role
from portal.fields import mask_id_number, mask_phone
from portal.models import AccessLog
from tests.factories import PartyMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1985, 3, 12)
PHONE = "13912345678"

# Fewer than the county-level divisions whose codes are in use (民政部 counts some 2,840); older
# ID numbers also carry codes since retired, so an attacker's list is longer still. A lower bound.
COUNTY_LEVEL_CODES = 2_800
ENOUGH = 10**4

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(body17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11]


def id_number(county: str, birth: dt.date, sequence: str) -> str:
    body = county + birth.strftime("%Y%m%d") + sequence
    return body + check_char(body)


ID_NUMBER = id_number("370902", BIRTH, "123")  # 泰山区, 1985-03-12, a man (odd 17th digit)


@pytest.fixture(autouse=True)
def _fresh_lookup_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def leader(taishan):
    """A district leader: sees members (masked), may not reveal."""
    return UserFactory(username="taishan_leader", role=Role.LEADER, jurisdiction=taishan)


@pytest.fixture
def member(taishan):
    return PartyMemberFactory(
        region=taishan, name="孙八", gender="M", birth_date=BIRTH, id_number=ID_NUMBER, phone=PHONE
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _api(user) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"authorization": f"Token {token.key}"})


# --- counting what is left to guess ------------------------------------------------------------


def _birth_dates(shown: str, today: dt.date) -> list[dt.date]:
    """The birth dates consistent with what is shown: one date, a year, or nothing."""
    full = re.fullmatch(r"(\d{4})(?:年|-)(\d{1,2})(?:月|-)(\d{1,2})日?", shown)
    if full:
        return [dt.date(*map(int, full.groups()))]
    year = re.fullmatch(r"(\d{4})年?", shown)
    years = [int(year.group(1))] if year else range(today.year - 100, today.year - 17)
    return [
        day
        for y in years
        for m in range(1, 13)
        for d in range(1, calendar.monthrange(y, m)[1] + 1)
        if (day := dt.date(y, m, d)) <= today
    ]


def candidate_count(masked: str, birth_shown: str, gender: str, today: dt.date) -> int:
    """How many ID numbers fit everything visible: the mask's clear characters, the birth date as
    shown, the gender (the 17th digit is odd for men) and the check character (GB 11643).

    County digits: when the mask shows none of them the page says nothing about the county, so
    any county code in use fits (COUNTY_LEVEL_CODES), and the check character keeps one in eleven
    of them (it is the weighted digit sum mod 11, which spreads over the eleven values). When some
    are shown, the remaining digits are enumerated and the check character applied exactly."""
    assert len(masked) == 18
    visible = {i: c for i, c in enumerate(masked) if c != "*"}

    def fits(start: int, text: str) -> bool:
        return all(visible.get(start + k, ch) == ch for k, ch in enumerate(text))

    dates = [d.strftime("%Y%m%d") for d in _birth_dates(birth_shown, today)]
    dates = [d for d in dates if fits(6, d)]
    odd = {"M": 1, "F": 0}.get(gender)
    sequences = [s for n in range(1000) if fits(14, s := f"{n:03d}") and (odd is None or n % 2 == odd)]
    check = visible.get(17)
    hidden_county = [i for i in range(6) if i not in visible]
    if len(hidden_county) == 6:
        per_body = COUNTY_LEVEL_CODES / 11 if check else COUNTY_LEVEL_CODES
        return int(len(dates) * len(sequences) * per_body)
    counties = [
        county
        for n in range(10 ** len(hidden_county))
        if fits(0, county := _fill(visible, hidden_county, f"{n:0{len(hidden_county)}d}"))
    ]
    return sum(
        1
        for county in counties
        for day in dates
        for sequence in sequences
        if check is None or check_char(county + day + sequence) == check
    )


def _fill(visible: dict[int, str], hidden: list[int], digits: str) -> str:
    chars = [visible.get(i, "") for i in range(6)]
    for position, digit in zip(hidden, digits, strict=True):
        chars[position] = digit
    return "".join(chars)


def _fact(html: str, label: str) -> str:
    match = re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", html, re.S)
    assert match, f"the page shows no {label}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_the_counting_is_not_vacuous_the_old_4_plus_4_mask_with_the_birth_date_left_a_handful():
    old_mask = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    left = candidate_count(old_mask, "1985年3月12日", "M", dt.date(2026, 11, 30))
    assert 1 <= left <= 20  # the ten or so an exact lookup then confirmed


# --- what a role without the reveal capability sees --------------------------------------------


def test_a_leaders_member_page_leaves_more_than_ten_thousand_candidate_id_numbers(leader, member):
    response = _signed_in(leader).get(f"/organizations/members/{member.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    masked, birth, gender = _fact(html, "身份证号码"), _fact(html, "出生日期"), _fact(html, "性别")

    assert masked == "**************" + ID_NUMBER[-4:]
    assert birth == "1985年"
    assert _fact(html, "联系电话") == "*******5678"
    for leak in (
        ID_NUMBER[:14],
        ID_NUMBER[6:14],
        ID_NUMBER[:6] + "*",
        "1985年3月12日",
        "1985-03-12",
        "03-12",
        "3月12日",
    ):
        assert leak not in html, leak
    left = candidate_count(masked, birth, {"男": "M", "女": "F"}[gender], dt.date.today())  # noqa: DTZ011
    assert left > ENOUGH, left


def test_the_api_shows_a_leader_the_same_last_four_and_only_the_birth_year(leader, member):
    body = _api(leader).get(f"/api/v1/members/{member.pk}/").json()
    assert body["id_number_masked"] == "**************" + ID_NUMBER[-4:]
    assert body["phone_masked"] == "*******5678"
    assert body["birth_date"] is None and body["birth_year"] == 1985
    assert (
        candidate_count(body["id_number_masked"], str(body["birth_year"]), body["gender"], dt.date(2026, 1, 1)) > ENOUGH
    )
    listing = _api(leader).get("/api/v1/members/").content.decode()
    assert "1985-03-12" not in listing and ID_NUMBER[:6] + "*" not in listing


def test_roles_that_may_reveal_see_the_full_birth_date_but_still_a_masked_id_number(staff, member):
    html = _signed_in(staff).get(f"/organizations/members/{member.pk}/").content.decode()
    assert _fact(html, "出生日期") == "1985年3月12日"
    assert _fact(html, "身份证号码") == "**************" + ID_NUMBER[-4:]
    assert _api(staff).get(f"/api/v1/members/{member.pk}/").json()["birth_date"] == "1985-03-12"


def test_masks_keep_only_the_last_four_characters():
    assert mask_id_number("11010519491231002X") == "**************002X"
    assert mask_phone("13812345678") == "*******5678"
    assert mask_phone("0538-8221234") == "********1234"
    assert mask_phone("1234") == "****"
    assert mask_id_number("") == ""


# --- exact lookups: reveal capability, POST, logged, throttled ---------------------------------


@pytest.mark.parametrize(("field", "value"), [("id_number", ID_NUMBER), ("phone", PHONE)])
def test_a_leader_cannot_look_a_member_up_by_exact_value_on_page_or_api_by_get_or_post(leader, member, field, value):
    page, api = _signed_in(leader), _api(leader)

    assert page.get("/organizations/members/", {field: value}).status_code == 400
    assert page.post("/organizations/members/lookup/", {field: value}).status_code == 403
    assert page.get("/organizations/members/lookup/", {field: value}).status_code in (403, 405)
    assert api.get("/api/v1/members/", {field: value}).status_code == 400
    assert api.post("/api/v1/members/lookup/", {field: value}, content_type="application/json").status_code == 403
    assert api.get("/api/v1/members/lookup/", {field: value}).status_code in (403, 405)
    assert AccessLog.objects.count() == 0


def test_the_exact_filter_is_gone_from_get_even_for_roles_that_may_reveal(staff, member):
    assert _signed_in(staff).get("/organizations/members/", {"id_number": ID_NUMBER}).status_code == 400
    response = _api(staff).get("/api/v1/members/", {"phone": PHONE})
    assert response.status_code == 400 and "POST" in response.json()["detail"]
    assert _signed_in(staff).get("/instructors/", {"phone": PHONE}).status_code == 400


def test_the_member_list_offers_the_lookup_form_only_to_roles_that_may_reveal(staff, leader, member):
    assert "按身份证号/手机号精确查找" in _signed_in(staff).get("/organizations/members/").content.decode()
    assert "按身份证号/手机号精确查找" not in _signed_in(leader).get("/organizations/members/").content.decode()


def test_a_lookup_by_a_role_that_may_reveal_finds_the_member_and_is_logged_like_a_reveal(staff, member):
    PartyMemberFactory(region=member.region, name="别人", id_number=id_number("370902", BIRTH, "125"))
    response = _signed_in(staff).post(
        "/organizations/members/lookup/", {"id_number": ID_NUMBER}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "孙八" in html and "别人" not in html and ID_NUMBER not in html
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.target, log.ip) == (
        staff,
        AccessKind.REVEAL,
        "organizations.partymember:lookup",
        "10.1.2.3",
    )
    assert log.detail["fields"] == ["id_number"] and log.detail["matches"] == [member.pk]
    assert ID_NUMBER not in str(log.detail)

    body = _api(staff).post("/api/v1/members/lookup/", {"phone": PHONE}, content_type="application/json").json()
    assert [row["id"] for row in body["results"]] == [member.pk]
    assert AccessLog.objects.filter(kind=AccessKind.REVEAL, detail__fields=["phone"]).count() == 1


def test_a_lookup_from_another_district_finds_nothing_and_is_logged_all_the_same(outsider, member):
    response = _api(outsider).post("/api/v1/members/lookup/", {"id_number": ID_NUMBER}, content_type="application/json")
    assert response.status_code == 200 and response.json()["results"] == []
    html = _signed_in(outsider).post("/organizations/members/lookup/", {"id_number": ID_NUMBER}).content.decode()
    assert "孙八" not in html
    assert [log.detail["matches"] for log in AccessLog.objects.all()] == [[], []]


def test_a_lookup_needs_exactly_one_value(staff, member):
    assert _api(staff).post("/api/v1/members/lookup/", {}, content_type="application/json").status_code == 400
    both = {"id_number": ID_NUMBER, "phone": PHONE}
    assert _api(staff).post("/api/v1/members/lookup/", both, content_type="application/json").status_code == 400
    assert "其中一项" in _signed_in(staff).post("/organizations/members/lookup/", both).content.decode()
    assert AccessLog.objects.count() == 0


def test_lookups_are_throttled_per_user_across_page_and_api(staff, taishan, member, settings):
    settings.PERSONAL_LOOKUP_PER_MINUTE = 3
    page, api = _signed_in(staff), _api(staff)
    assert page.post("/organizations/members/lookup/", {"phone": "13900000001"}).status_code == 200
    assert (
        api.post("/api/v1/members/lookup/", {"phone": "13900000002"}, content_type="application/json").status_code
        == 200
    )
    assert page.post("/instructors/lookup/", {"phone": "13900000003"}).status_code == 200

    refused = api.post("/api/v1/members/lookup/", {"phone": PHONE}, content_type="application/json")
    assert refused.status_code == 429
    assert "过于频繁" in refused.json()["detail"]
    html = page.post("/organizations/members/lookup/", {"id_number": ID_NUMBER})
    assert html.status_code == 429 and "过于频繁" in html.content.decode() and "孙八" not in html.content.decode()
    assert AccessLog.objects.count() == 3  # the refused ones looked nothing up

    other = UserFactory(username="taishan_staff2", role=Role.DISTRICT_STAFF, jurisdiction=taishan)
    assert (
        _api(other).post("/api/v1/members/lookup/", {"phone": PHONE}, content_type="application/json").status_code
        == 200
    )
