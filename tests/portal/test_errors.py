"""The portal's own error pages, in Chinese, whatever DEBUG says; and the favicon."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import path

from portal import urls
from portal.urls import urlpatterns as portal_urlpatterns
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

ENGLISH_DEBUG_PAGE = ("Page not found", "Using the URLconf", "Django tried these URL patterns", "Raised by")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _assert_portal_404(response) -> None:
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    for english in ENGLISH_DEBUG_PAGE:
        assert english not in html


@pytest.mark.parametrize("debug", [True, False])
def test_a_wrong_url_shows_the_portals_chinese_404_page(debug, staff):
    with override_settings(DEBUG=debug):
        _assert_portal_404(_signed_in(staff).get("/no/such/page/"))
        _assert_portal_404(Client().get("/no/such/page/"))


@override_settings(DEBUG=True)
def test_a_record_outside_the_region_shows_the_same_page_in_debug(staff, daiyue):
    elsewhere = EnterpriseFactory(region=daiyue)
    _assert_portal_404(_signed_in(staff).get(f"/enterprises/{elsewhere.pk}/"))


@override_settings(DEBUG=True)
def test_the_404_page_keeps_the_navigation_of_a_signed_in_user(staff):
    html = _signed_in(staff).get("/no/such/page/").content.decode()
    assert 'href="/enterprises/"' in html
    assert "返回首页" in html


@override_settings(DEBUG=True)
def test_an_api_404_stays_json_in_debug(staff, daiyue):
    elsewhere = EnterpriseFactory(region=daiyue)
    response = _signed_in(staff).get(f"/api/v1/enterprises/{elsewhere.pk}/", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@override_settings(DEBUG=True)
def test_a_missing_slash_is_still_redirected(staff):
    response = _signed_in(staff).get("/enterprises")
    assert response.status_code == 301
    assert response["Location"] == "/enterprises/"


# --- 500 -------------------------------------------------------------------------------------------


def broken_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken_view), *portal_urlpatterns]
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_shows_the_portals_chinese_500_page():
    response = Client(raise_request_exception=False).get("/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统错误" in html
    assert "Server Error" not in html
    assert "a bug" not in html  # nothing of the error leaks to the page


def test_the_urlconf_names_the_portals_handlers():
    assert urls.handler404 == "portal.views.page_not_found"
    assert urls.handler500 == "portal.views.server_error"


# --- the favicon ---------------------------------------------------------------------------------


def test_favicon_ico_is_served_from_the_static_files_to_everyone():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    icon = finders.find("favicon.ico")
    with open(icon, "rb") as handle:
        assert data == handle.read()
    assert data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert b"\x89PNG" in data  # holding a PNG image


def test_every_page_links_its_icon(staff):
    for client, url in ((Client(), "/accounts/login/"), (_signed_in(staff), "/enterprises/")):
        html = client.get(url).content.decode()
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
        assert '<link rel="icon" href="/static/favicon.ico" sizes="32x32">' in html
    assert finders.find("favicon.svg") is not None
