import pytest
from rest_framework.test import APIClient

from shops.tests.factories import UserFactory
from storefront.tests.factories import StorefrontFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def creator(db):
    return UserFactory(username="creator-a")


@pytest.fixture
def other_creator(db):
    return UserFactory(username="creator-b")


@pytest.fixture
def storefront(creator):
    return StorefrontFactory(owner=creator, name="阿花的好物小店")


@pytest.fixture
def other_storefront(other_creator):
    return StorefrontFactory(owner=other_creator, name="阿草的小店")


@pytest.fixture
def creator_api(creator):
    return client_for(creator)


@pytest.fixture
def other_creator_api(other_creator):
    return client_for(other_creator)


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]
