"""Test helper: does a Django test response match what ``/api/schema/`` documents for it?"""

from functools import cache

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator


@cache
def _schema():
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def assert_matches_schema(response, route: str, method: str = "GET") -> None:
    """Raise (with schemathesis's explanation) unless ``response`` — a DRF/Django test response
    for the operation ``method route`` (e.g. ``"/api/v1/tickets/{id}/"``) — has a documented
    status and a body that validates against the documented schema."""
    request = requests.Request(method=method, url=f"http://testserver{route}").prepare()
    answer = schemathesis.Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=False,
    )
    _schema()[route][method.upper()].validate_response(answer)
