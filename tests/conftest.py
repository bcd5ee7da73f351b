from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection

from portal.choices import Role
from tests.browser import browser_page  # noqa: F401 - a fixture for the browser tests
from tests.factories import UserFactory, district, other_district


@pytest.fixture
def taishan(db):
    return district()


@pytest.fixture
def daiyue(db):
    return other_district()


@pytest.fixture
def staff(taishan):
    """District organization staff of 泰山区."""
    return UserFactory(username="taishan_staff", role=Role.DISTRICT_STAFF, jurisdiction=taishan)


@pytest.fixture
def outsider(daiyue):
    """Staff of another district (岱岳区): must see nothing of 泰山区."""
    return UserFactory(username="daiyue_staff", role=Role.DISTRICT_STAFF, jurisdiction=daiyue)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (the lookup throttle counts per user id and minute,
    and user ids repeat from test to test; with CACHE_URL the cache is a shared Redis)."""
    cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _end_stray_sessions_before_the_test_database_is_dropped(django_db_setup, django_db_blocker):
    """The live server's threads may leave idle connections to the test database; end them once,
    after the last test, so the database can be dropped. (Ending them after each test instead
    killed connections other threads of this process still held, and a later test failed with
    "server closed the connection unexpectedly".)"""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
