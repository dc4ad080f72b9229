"""Shared fixtures: users for each role, API clients, and the database-vendor markers."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.roles import MERCHANT, OPS_ADMIN, OPS_REVIEWER, PLATFORM, grant_role
from shops.tests.factories import ShopFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


REFERENCE_SEEDS = [
    ("shops.migrations.0002_load_regions", "load"),
    ("core.migrations.0002_seed_policies", "seed"),
    ("reports.migrations.0002_commitment_letter", "seed"),
    ("tickets.migrations.0002_seed_reply_options", "seed"),
]


def seed_reference_data() -> None:
    """Re-load the rows data migrations seed (regions, policies, commitment letter, reply
    options, role groups). Every seed is idempotent."""
    import importlib

    from django.apps import apps

    from core.roles import ensure_role_groups

    for module, function in REFERENCE_SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)
    ensure_role_groups()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """A transactional test's teardown flushes every table, including what migrations seeded;
    give each transactional test that data back first (instead of ``serialized_rollback``,
    whose reload depends on test order)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        seed_reference_data()


@pytest.fixture
def reference_data(db):
    seed_reference_data()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def platform_user(db):
    user = UserFactory.create(username="platform-bot")
    grant_role(user, PLATFORM)
    return user


@pytest.fixture
def ops_user(db):
    user = UserFactory.create(username="ops-reviewer")
    grant_role(user, OPS_REVIEWER)
    return user


@pytest.fixture
def ops_admin_user(db):
    user = UserFactory.create(username="ops-admin")
    grant_role(user, OPS_ADMIN)
    return user


def make_merchant(shop, username: str):
    user = UserFactory.create(username=username)
    grant_role(user, MERCHANT)
    shop.memberships.create(user=user)
    return user


@pytest.fixture
def shop(db):
    return ShopFactory(code="shop-a", kind="tmall")


@pytest.fixture
def other_shop(db):
    return ShopFactory(code="shop-b", kind="taobao")


@pytest.fixture
def merchant(shop):
    return make_merchant(shop, "merchant-a")


@pytest.fixture
def other_merchant(other_shop):
    return make_merchant(other_shop, "merchant-b")


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """An unauthenticated API client."""
    return APIClient()


@pytest.fixture
def platform_api(platform_user):
    return _client_for(platform_user)


@pytest.fixture
def ops_api(ops_user):
    return _client_for(ops_user)


@pytest.fixture
def merchant_api(merchant):
    return _client_for(merchant)


@pytest.fixture
def other_merchant_api(other_merchant):
    return _client_for(other_merchant)
