"""Health endpoints (SPEC §10): no authentication, no secrets, nothing but the answer.

- ``GET /healthz``: the process answers (no I/O at all) — for a liveness probe.
- ``GET /readyz``: the database and the broker are reachable — for a readiness probe / load
  balancer. 503 names the dependency that failed (``{"status": "unavailable", "failed":
  ["broker"]}``); the error text is logged, never returned (it may hold a host name).

Whether the periodic jobs ran is the 任务运行 admin page's business, not this one's.
"""

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 2.0

if TYPE_CHECKING:
    from kombu import Connection


class _Connect(Protocol):
    """kombu's ``Connection`` as called here: its ``__init__`` is unannotated (kombu is typed
    only in part), so it is called through this signature."""

    def __call__(self, hostname: str, *, transport_options: Mapping[str, object], connect_timeout: float) -> "Connection": ...


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("readyz: database unreachable: %s", exc)
        connections["default"].close_if_unusable_or_obsolete()
        return False


def broker_ok() -> bool:
    from kombu import Connection

    connect = cast(_Connect, Connection)
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return True
    try:
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        with connect(url, transport_options=options, connect_timeout=BROKER_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
            if url.startswith("filesystem"):
                conn.default_channel  # noqa: B018 - opens the folders
        return True
    except Exception as exc:  # noqa: BLE001
        logger.warning("readyz: broker unreachable: %s", exc)
        return False


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_ok(), "broker": broker_ok()}
    failed = [name for name, ok in checks.items() if not ok]
    body: dict[str, Any] = {
        "status": "unavailable" if failed else "ok",
        "checks": {k: "ok" if v else "failed" for k, v in checks.items()},
    }
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
