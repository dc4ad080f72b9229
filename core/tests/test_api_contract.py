import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_and_swagger_are_public(api):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/platform/orders/" in schema.content
    assert api.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


@pytest.mark.django_db
def test_unknown_api_path_is_404_json_not_500(platform_api):
    response = platform_api.post("/api/v1/platform/orders/NOPE/events/", {"type": "shipped", "at": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "datetime_invalid"  # "x" is no date-time


@pytest.mark.django_db
def test_admin_is_chinese(client, ops_admin_user):
    client.force_login(ops_admin_user)
    body = client.get("/admin/").content.decode()
    assert "发货保障后台" in body
    assert "规则时间线" in body


@pytest.mark.django_db
def test_chinese_even_for_an_english_browser_until_the_user_switches(client):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    body = client.get("/accounts/login/").content.decode()
    assert "Username" in body and "用户名" not in body
