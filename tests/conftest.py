"""Shared fixtures: one user per role, an outsider with no role, and MSP factories."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

import tests.hypothesis_profiles  # noqa: F401  (loads the profile before any test module)
from accounts.roles import AUDITOR, EVALUATOR, EXECUTIVE, PROCUREMENT
from vendors import services as vendor_services
from vendors.models import MSP

PASSWORD = "correct-horse-battery-staple"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test may use the database.

    Marking them before pytest-django orders the run keeps the transactional
    (browser) tests last: they flush the database when they end.
    """
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


# A transactional test ends by emptying every table, rows of the data migrations included: each one
# starts by putting those back (groups, specialties, the question and requirement libraries).
DATA_MIGRATIONS = [
    ("accounts.migrations.0001_groups", "create_groups"),
    ("accounts.migrations.0004_msp_group", "create_group"),
    ("vendors.migrations.0002_specialties", "create_specialties"),
    ("scoring.migrations.0003_libraries", "seed"),
]


@pytest.fixture(autouse=True)
def reference_data(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


def make_user(username: str, role: str | None = None, *, superuser: bool = False) -> User:
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, first_name=username.title())
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def admin_user(db) -> User:
    return make_user("ada", superuser=True)


@pytest.fixture
def procurement(db) -> User:
    return make_user("priya", PROCUREMENT)


@pytest.fixture
def evaluator(db) -> User:
    return make_user("evan", EVALUATOR)


@pytest.fixture
def executive(db) -> User:
    return make_user("marcus", EXECUTIVE)


@pytest.fixture
def auditor(db) -> User:
    return make_user("aisha", AUDITOR)


@pytest.fixture
def no_role_user(db) -> User:
    return make_user("nobody")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_queries(client: Client, address: str) -> tuple[int, int]:
    """The queries of one request for the page at ``address``: drawn, then served from the page cache.

    Drawn is counted with the page cache off, after requests that settle anything computed once
    (the fragments' cache among them); served is the next request once the page is cached.
    """
    client.get(address)  # sets the CSRF cookie the page cache keys by
    with override_settings(PAGE_CACHE_SECONDS=0):
        client.get(address)
        with CaptureQueriesContext(connection) as drawn:
            response = client.get(address)
        drawn_count = len(drawn)  # now: the next request empties the log it reads from
        assert response.status_code == 200
        assert response.context is not None  # drawn from its template
    client.get(address)  # drawn once more, and cached
    with CaptureQueriesContext(connection) as served:
        response = client.get(address)
    assert response.status_code == 200
    assert response.context is None  # from the page cache: no template drawn
    return drawn_count, len(served)


@pytest.fixture
def msp(db) -> MSP:
    return vendor_services.msp_create(
        name="Acme Managed IT",
        website="https://acme.example",
        headquarters="Los Angeles, CA",
        service_area="Southern California",
        offers_fully_managed=True,
        offers_co_managed=False,
    )


@pytest.fixture(autouse=True)
def empty_caches() -> None:
    """Each test starts with empty caches: cached page fragments are keyed by ids and times that
    another test may have used too."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
