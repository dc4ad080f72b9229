"""OpenAPI post-processing: every operation documents the error answers it can give.

The exception handler (``core.api.exception_handler``) shapes every error as ``{"code", "detail"}``
(``errors`` too for field validation); this hook puts that shape in the schema, once, for the
statuses each operation can actually answer with, so clients (and schemathesis) see them.
An operation that documents a status itself keeps its own description.
"""

from typing import Any

ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer of the API.",
    "properties": {
        "code": {"type": "string", "description": "Machine code, e.g. `report_other_shop`, `invalid_page_size`."},
        "detail": {"type": "string", "description": "Human-readable explanation (Chinese or English per the user's language)."},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "Validation errors only: every offending field and its messages.",
        },
    },
    "required": ["code", "detail"],
}

DESCRIPTIONS = {
    "400": "Bad input: malformed JSON, a field or query parameter that fails validation, or a rule refusing it.",
    "401": "No credentials, or an unknown token.",
    "403": "Authenticated, but this role may not call this endpoint.",
    "404": "Not found, or another tenant's object (the same answer); also a page past the last.",
    "409": "Conflicts with the current state (an illegal status change, a conflicting repeat).",
    "415": "A body in a media type the endpoint does not read (send JSON), or one that cannot be parsed as declared.",
    "429": "Rate limit exceeded (merchants; see `Retry-After`).",
}


def _statuses(method: str, operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = []
    if operation.get("requestBody") or any(p.get("in") == "query" for p in parameters):
        statuses.append("400")
    if any(requirement for requirement in operation.get("security", [{}])) and {} not in operation.get("security", []):
        statuses += ["401", "403", "429"]
    # A path object, a page past the last, or an object a body refers to (an appeal's complaint).
    if operation.get("requestBody") or any(p.get("in") == "path" or p.get("name") == "page" for p in parameters):
        statuses.append("404")
    if operation.get("requestBody"):
        statuses.append("415")
    if method == "post":
        statuses.append("409")
    return sorted(statuses)


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(method, operation):
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            for status, documented in responses.items():
                if str(status).startswith("4"):  # also the 4xx an endpoint documented itself
                    documented.setdefault("content", error)
    return result
