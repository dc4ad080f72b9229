"""/healthz and /readyz (SPEC §10); a database that is unreachable is a 503 with a code."""

import socket
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_io(client):
    # no django_db mark: any database access here would raise
    with mock.patch("core.health.broker_ok", side_effect=AssertionError("no broker I/O")):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_200_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "broker": "failed"}, "failed": ["broker"]}
    assert str(settings.CELERY_BROKER_URL) not in response.content.decode()  # no configuration leaks


@pytest.mark.django_db
def test_readyz_names_the_database_when_it_is_down(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("server closed")):
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["database"]
    assert "server closed" not in response.content.decode()


@pytest.mark.django_db
def test_filesystem_broker_is_checked_too(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://localhost//"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    assert client.get("/readyz").status_code == 200


def test_health_endpoints_need_no_login_and_refuse_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_database_unavailable_during_a_request_is_503_with_a_code(platform_user):
    client = Client(raise_request_exception=False)
    client.force_login(platform_user)
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("terminating connection")):
        api = client.get("/api/v1/reports/")
        page = client.get("/reports/")
    assert api.status_code == 503 and api.json()["code"] == "database_unavailable" and api["Retry-After"] == "5"
    assert page.status_code == 503 and b"database_unavailable" in page.content
    assert client.get("/api/v1/reports/").status_code != 503  # the next request is served again
