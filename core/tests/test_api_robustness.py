"""Bad input gets a clear error and changes nothing (SPEC §8): the cross-cutting cases that no
single app owns — pagination parameters, unknown paths, bodies that are not JSON objects,
anonymous callers, the documented error shape, datetimes outside any plausible range."""

import pytest
from django.test import override_settings
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core.api.fields import AwareDateTimeField
from core.api.schema import ERROR_COMPONENT
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import sh

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"


@pytest.fixture
def three_reports(shop):
    return DeliveryReportFactory.create_batch(3, shop=shop)


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"], body
    return body


# --- pagination -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "101", "100000", "abc", "", "1.5", "２", "9" * 5000])
def test_page_size_outside_1_to_100_is_400(merchant_api, three_reports, value):
    body = _error(merchant_api.get(REPORTS, {"page_size": value}), 400, "invalid_page_size")
    assert "page_size" in body["detail"]


@pytest.mark.parametrize("value", ["1", "100"])
def test_page_size_bounds_are_accepted(merchant_api, three_reports, value):
    response = merchant_api.get(REPORTS, {"page_size": value})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(int(value), 3)


@pytest.mark.parametrize("value", ["0", "-3", "abc", "", "1e3", "01", "３"])
def test_page_that_is_not_a_positive_number_is_400(merchant_api, three_reports, value):
    _error(merchant_api.get(REPORTS, {"page": value}), 400, "invalid_page")


def test_page_past_the_last_is_404_and_last_still_works(merchant_api, three_reports):
    body = _error(merchant_api.get(REPORTS, {"page": "3", "page_size": "2"}), 404, "page_not_found")
    assert "last page is 2" in body["detail"]
    for huge in ("61279502597110513664", "9" * 5000):  # a valid integer, just past the end
        _error(merchant_api.get(REPORTS, {"page": huge}), 404, "page_not_found")
    assert len(merchant_api.get(REPORTS, {"page": "last", "page_size": "2"}).json()["results"]) == 1
    assert merchant_api.get(REPORTS, {"page": "2", "page_size": "2"}).status_code == 200


def test_unknown_query_filters_are_ignored(merchant_api, three_reports):
    response = merchant_api.get(REPORTS, {"no_such_filter": "x"})
    assert response.status_code == 200 and response.json()["count"] == 3


def test_schema_documents_the_page_bounds():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"]: p["schema"] for p in schema["paths"][REPORTS]["get"]["parameters"]}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["page"] == {"type": "integer", "minimum": 1}


# --- paths that match no endpoint -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tickets/abc/",
        "/api/v1/complaints/1.5/",
        "/api/v1/nope/",
        "/api/v2/reports/",
        "/api/v1/storefront/listings/null/remove/",
    ],
)
def test_a_path_that_matches_no_endpoint_is_a_json_404(merchant_api, url):
    body = _error(merchant_api.get(url), 404, "not_found")
    assert url in body["detail"]
    _error(merchant_api.post(url, {}, format="json"), 404, "not_found")  # not a CSRF page either


def test_a_post_without_the_trailing_slash_is_a_404_that_says_so_and_creates_nothing(merchant_api, shop):
    # Before: DEBUG raised RuntimeError (a 500); without DEBUG, APPEND_SLASH redirected the POST
    # to a GET of the list, so the client saw 200 and nothing was filed.
    response = merchant_api.post("/api/v1/reports", {"shop": shop.code}, format="json")
    body = _error(response, 404, "not_found")
    assert "/api/v1/reports/" in body["detail"]
    assert not DeliveryReport.objects.exists()


def test_anonymous_on_an_unknown_api_path_is_a_json_404(api):
    _error(api.get("/api/v1/tickets/abc/"), 404, "not_found")


# --- bodies ----------------------------------------------------------------------------------


def test_malformed_json_is_400_parse_error_and_creates_nothing(merchant_api):
    response = merchant_api.generic("POST", REPORTS, '{"shop": "shop-a",', content_type="application/json")
    _error(response, 400, "parse_error")
    assert not DeliveryReport.objects.exists()


@pytest.mark.parametrize("payload", ["[1, 2]", '"text"', "null", "42"])
def test_json_that_is_not_an_object_is_400(merchant_api, payload):
    _error(merchant_api.generic("POST", REPORTS, payload, content_type="application/json"), 400, "invalid")
    assert not DeliveryReport.objects.exists()


def test_wrong_content_type_is_415(merchant_api):
    _error(merchant_api.generic("POST", REPORTS, "shop=shop-a", content_type="text/plain"), 415, "unsupported_media_type")


def test_wrong_accept_is_406(merchant_api):
    _error(merchant_api.get(REPORTS, HTTP_ACCEPT="application/xml"), 406, "not_acceptable")


def test_wrong_method_is_405(merchant_api):
    _error(merchant_api.delete(REPORTS), 405, "method_not_allowed")


# --- anonymous callers: every endpoint of the schema ---------------------------------------------


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for route, item in schema["paths"].items():
        for method in item:
            url = route.replace("{id}", "1").replace("{report_no}", "BB1").replace("{order_no}", "O1")
            yield pytest.param(method, url, id=f"{method.upper()} {route}")


@pytest.mark.parametrize(("method", "url"), list(_operations()))
def test_anonymous_gets_401_json_with_a_code_on_every_endpoint(api, method, url):
    response = getattr(api, method)(url, {}, format="json") if method == "post" else getattr(api, method)(url)
    body = _error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")
    assert body["detail"]


def test_an_unknown_token_is_401_authentication_failed():
    client = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)
    _error(client.get(REPORTS), 401, "authentication_failed")


# --- the schema documents the error shape ---------------------------------------------------------


def test_every_operation_documents_its_error_answers_with_the_error_shape():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"][ERROR_COMPONENT]["required"] == ["code", "detail"]
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"401", "403"} <= responses.keys(), (method, route)
            if "{" in route:
                assert "404" in responses, (method, route)
            if method == "post":
                assert "409" in responses, (method, route)
            if "requestBody" in operation:
                assert {"400", "404", "415"} <= responses.keys(), (method, route)
            for status, answer in responses.items():
                if status.startswith("4"):
                    assert answer["content"]["application/json"]["schema"] == ref, (method, route, status)


# --- datetimes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00Z", "1999-12-31T23:59:59+08:00", "2100-01-01T00:00:00+08:00"]
)
def test_a_datetime_outside_2000_to_2100_is_refused_with_its_code(value):
    field = AwareDateTimeField()
    with pytest.raises(Exception) as refused:
        field.run_validation(value)
    assert refused.value.get_codes() == ["datetime_out_of_range"]


def test_a_datetime_without_offset_is_read_in_shanghai_and_bounds_are_inclusive_exclusive():
    field = AwareDateTimeField()
    assert field.run_validation("2022-12-28T10:00:00") == sh(2022, 12, 28, 10, 0)
    assert field.run_validation("2000-01-01T00:00:00+08:00") == sh(2000, 1, 1)
    assert field.run_validation("2099-12-31T23:59:59+08:00") == sh(2099, 12, 31, 23, 59, 59)


@pytest.mark.parametrize("value", ["28/12/2022 10:00", "2022-12-28T25:00:00+08:00", "yesterday", "2022-13-01T00:00:00Z"])
def test_a_datetime_that_is_not_iso_8601_is_refused(value):
    with pytest.raises(Exception) as refused:
        AwareDateTimeField().run_validation(value)
    assert refused.value.get_codes() == ["datetime_invalid"]  # as the portal answers (core.bounds)


# --- a server error under /api/ keeps the shape --------------------------------------------------


def _explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/explode/", _explode), path("portal/explode/", _explode)]
handler500 = "core.api.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_an_unexpected_error_under_api_is_a_json_500_and_elsewhere_the_html_page():
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/explode/")
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "detail": response.json()["detail"]}
    page = client.get("/portal/explode/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_the_project_urlconf_uses_the_json_server_error_handler():
    from backoffice import urls

    assert urls.handler500 == "core.api.views.server_error"


# --- NUL characters, oversized and over-nested bodies ----------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        # Each was a 500 on PostgreSQL (text cannot hold NUL) and a plain miss on SQLite.
        "/api/v1/reports/%00/",
        "/api/v1/orders/%00/coverage/",
        "/api/v1/regions/?parent=%00",
        "/api/v1/products/?q=%00",
        "/api/v1/products/?shop=%00",
        "/api/v1/tickets/?order_no=%00",
        "/api/v1/metrics/service/?shop=%00",
        "/api/v1/reports/?x%00=1",
    ],
)
def test_a_nul_character_in_the_url_is_400_before_any_lookup(merchant_api, url, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = merchant_api.get(url)
    _error(response, 400, "null_characters_not_allowed")


@pytest.mark.parametrize("url", ["/api/v1/reports/%00/withdraw/", "/api/v1/platform/orders/%00/events/"])
def test_a_nul_character_in_an_action_url_is_400_and_changes_nothing(platform_api, url):
    _error(
        platform_api.post(url, {"type": "shipped", "at": "2022-12-28T10:00:00+08:00"}, format="json"),
        400,
        "null_characters_not_allowed",
    )


def test_a_nul_character_in_a_portal_url_is_a_plain_400(client, merchant):
    client.force_login(merchant)
    response = client.get("/reports/?order_no=%00")  # was a 500 on PostgreSQL
    assert response.status_code == 400
    assert client.get("/reports/").status_code == 200


def test_json_nested_too_deeply_is_400_parse_error(merchant_api):
    deep = "[" * 100_000 + "]" * 100_000  # RecursionError in json.loads: was a 500
    _error(merchant_api.generic("POST", REPORTS, deep, content_type="application/json"), 400, "parse_error")


def test_an_unpaired_surrogate_anywhere_in_json_is_400_parse_error(merchant_api):
    # "\\ud800" is valid JSON but no character: echoed in an error it was a 500 (UnicodeEncodeError)
    for body in ('{"order_no": "\\ud800"}', '{"x\\udfff": 1}', '[{"a": ["ok", "\\udc00"]}]'):
        _error(merchant_api.generic("POST", REPORTS, body, content_type="application/json"), 400, "parse_error")
    assert not DeliveryReport.objects.exists()


def test_a_body_over_the_upload_limit_is_a_json_400(merchant, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(merchant)
    response = client.post(REPORTS, {"note": "x" * 5000}, format="json")  # was Django's HTML 400 page
    _error(response, 400, "request_too_large")
    assert not DeliveryReport.objects.exists()


def test_the_project_urlconf_uses_the_json_bad_request_handler():
    from backoffice import urls

    assert urls.handler400 == "core.api.views.bad_request"


def test_the_surrogate_walk_runs_only_when_the_body_has_a_surrogate_escape(merchant_api, monkeypatch):
    """The parsed document is walked for lone surrogates only when the UTF-8 body holds a
    ``\\uD8xx``–``\\uDFxx`` escape (the only way one gets in); other encodings are always walked."""
    from core.api import parsers

    walked = []
    real = parsers._has_unpaired_surrogate
    monkeypatch.setattr(parsers, "_has_unpaired_surrogate", lambda data: walked.append(data) or real(data))
    merchant_api.generic("POST", REPORTS, '{"note": "好 \\u597d \\u00e9"}', content_type="application/json")
    assert walked == []
    _error(merchant_api.generic("POST", REPORTS, '{"note": "\\uDBFF"}', content_type="application/json"), 400, "parse_error")
    assert len(walked) == 1
    utf16 = '{"note": "\\ud800"}'.encode("utf-16")
    response = merchant_api.generic("POST", REPORTS, utf16, content_type="application/json; charset=utf-16")
    _error(response, 400, "parse_error")
    assert len(walked) == 2
