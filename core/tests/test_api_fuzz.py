"""Property-based fuzzing of the whole v1 API against its own OpenAPI schema (schemathesis).

Every operation of ``/api/schema/`` is called in-process (WSGI) with generated input, valid and
invalid, by the role(s) that may call it: a platform service user, an ops reviewer, a merchant.
Whatever comes in: no 5xx, every 4xx is JSON ``{"code", "detail"}``, every status is documented
and every answer matches the schema it documents.

Bounded for CI (~30 s): 15 examples per operation, derandomized (the same cases every run), no
example database, no shrinking. ``API_FUZZ_EXAMPLES=100`` for a deeper local run; against a
running server: ``st run http://127.0.0.1:8811/api/schema/ -H "Authorization: Token …" --checks all``.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from complaints.tests.factories import JudgedComplaintFactory
from reports.tests.factories import DeliveryReportFactory, UnifiedExemptionFactory
from shops.tests.factories import OrderFactory, ProductFactory
from storefront.tests.factories import LibraryItemFactory, StorefrontFactory
from tickets.tests.factories import UrgeTaskFactory

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))  # more for a deeper local run


@pytest.fixture
def api_data(shop, other_shop, merchant, other_merchant):
    """A little of everything, for two tenants, so that detail and action paths can hit rows."""
    for owner, tenant in ((merchant, shop), (other_merchant, other_shop)):
        product = ProductFactory(shop=tenant)
        order = OrderFactory(product=product)
        DeliveryReportFactory(shop=tenant)
        UrgeTaskFactory(order=order)
        JudgedComplaintFactory(order=order)
        StorefrontFactory(owner=owner)
    UnifiedExemptionFactory(regions=["420000"])
    LibraryItemFactory()


@pytest.fixture(autouse=True)
def _keep_the_test_transactions_connection():
    """Requests go through the real WSGI handler, whose request_started/finished signals close
    "old" connections — on PostgreSQL that closes the one holding the test's transaction. Django's
    own test client disconnects them the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


_KEYS: dict[int, str] = {}


def _token(user) -> str:
    """One key per user per test (a new key each call would be as good, just more rows)."""
    from core.models import ApiToken
    from core.tokens import token_issue

    if user.pk not in _KEYS or not ApiToken.objects.filter(user=user).exists():
        _KEYS[user.pk] = token_issue(user=user, kind=ApiToken.Kind.MERCHANT)[1]
    return _KEYS[user.pk]


# Served by the app itself, as clients see it (loading it touches no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

# Each role on the operations it may call (elsewhere it only meets the 403 that
# test_api_robustness checks for every endpoint): ingestion for the platform, review actions
# for ops, the rest — reads, reports, replies, appeals, the storefront — for a merchant.
PLATFORM_OPERATIONS = schema.include(path_regex=r"^/api/v1/platform/")
OPS_OPERATIONS = schema.include(path_regex=r"^/api/v1/(ops/|reports/|complaints/|appeals/|tickets/|orders/)")
MERCHANT_OPERATIONS = schema.exclude(path_regex=r"^/api/v1/(platform|ops)/")


def _call_and_check(case, user) -> None:
    response = case.call(headers={"Authorization": f"Token {_token(user)}"})
    where = f"{case.method} {case.formatted_path} -> {response.status_code} {response.text[:500]}"

    assert response.status_code < 500, where
    if response.status_code >= 400:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), where
        body = response.json()
        assert isinstance(body, dict) and {"code", "detail"} <= body.keys(), where
    case.validate_response(response, checks=(response_schema_conformance, status_code_conformance))


@PLATFORM_OPERATIONS.parametrize()
@SETTINGS
@pytest.mark.django_db
def test_fuzz_as_platform(case, api_data, platform_user):
    _call_and_check(case, platform_user)


@OPS_OPERATIONS.parametrize()
@SETTINGS
@pytest.mark.django_db
def test_fuzz_as_ops(case, api_data, ops_user):
    _call_and_check(case, ops_user)


@MERCHANT_OPERATIONS.parametrize()
@SETTINGS
@pytest.mark.django_db
def test_fuzz_as_merchant(case, api_data, merchant):
    _call_and_check(case, merchant)


def _operations(subset) -> set[str]:
    return {f"{op.method.upper()} {op.path}" for op in (result.ok() for result in subset.get_all_operations())}


def test_every_operation_is_fuzzed_by_the_role_that_may_call_it():
    """The role mapping above reaches every operation — today's bulk ingestion, delivery notice,
    share tokens, preview, amendments and the inbox included — as a role that may call it (a
    role that may not only meets 403s, which cannot find a 500 behind the permission check)."""
    everything = _operations(schema)
    by_role = {
        "platform": _operations(PLATFORM_OPERATIONS),
        "ops": _operations(OPS_OPERATIONS),
        "merchant": _operations(MERCHANT_OPERATIONS),
    }
    for operation in everything:
        path = operation.split(" ", 1)[1]
        role = "platform" if path.startswith("/api/v1/platform/") else "ops" if path.startswith("/api/v1/ops/") else "merchant"
        assert operation in by_role[role], operation
    for operation in (
        "POST /api/v1/platform/orders/bulk/",
        "POST /api/v1/platform/order-events/bulk/",
        "GET /api/v1/platform/orders/{order_no}/delivery-notice/",
        "POST /api/v1/platform/share-tokens/",
    ):
        assert operation in by_role["platform"], operation
    for operation in (
        "POST /api/v1/reports/preview/",
        "POST /api/v1/reports/{report_no}/amend/",
        "GET /api/v1/notifications/",
        "POST /api/v1/notifications/{id}/read/",
    ):
        assert operation in by_role["merchant"], operation
