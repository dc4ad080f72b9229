"""The one validation path of platform ingestion, for a single item and for a batch (SPEC §8).

The single endpoints validate their body as a batch of one, the bulk endpoints validate every
item: the same serializer instance's ``run_validation`` with the batch's references read up front
(``IngestRefs``: three queries whatever the batch size). A refused item keeps its own
``ValidationError`` so the single endpoint can raise it unchanged and the bulk endpoint can turn
it into ``{code, detail}`` with the exception handler's own rule."""

from collections.abc import Sequence

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from core.api.exception_handler import validation_error_code_detail
from core.api.fields import refuse
from core.errors import DomainError
from shops.api.serializers import IngestRefs
from shops.services import Ingested

MAX_ITEMS = 1000


def batch_items(data, key: str) -> list:
    """The list under ``key`` of a bulk body: 400 ``required`` / ``invalid`` / ``too_many_items``."""
    if not isinstance(data, dict) or key not in data:
        raise ValidationError({key: [serializers.ErrorDetail("This field is required.", code="required")]})
    items = data[key]
    if not isinstance(items, list):
        raise ValidationError({key: [serializers.ErrorDetail("Expected a list of items.", code="invalid")]})
    if len(items) > MAX_ITEMS:
        raise refuse("too_many_items", f"At most {MAX_ITEMS} {key} per request; got {len(items)}.")
    return items


def validate_items(serializer_class: type[serializers.Serializer], items: Sequence, *, refs: bool = False) -> list:
    """Each item's validated data, or the ``ValidationError`` that refuses it, in order."""
    serializer = serializer_class(context={"refs": IngestRefs(list(items))} if refs else {})
    outcomes: list = []
    for item in items:
        try:
            outcomes.append(serializer.run_validation(item))
        except ValidationError as error:
            outcomes.append(ValidationError(_as_serializer_errors(error.detail)))
    return outcomes


def _as_serializer_errors(detail):
    """``detail`` shaped as ``Serializer.errors`` shapes it after ``is_valid()`` (what the single
    endpoints raised before): a ``null`` body is ``{"non_field_errors": ["No data provided"]}``."""
    if isinstance(detail, list) and len(detail) == 1 and getattr(detail[0], "code", None) == "null":
        return {api_settings.NON_FIELD_ERRORS_KEY: [serializers.ErrorDetail("No data provided", code="null")]}
    return detail


def item_result(index: int, outcome) -> dict:
    """``{index, status, code?, detail?}`` of one bulk item: 201 created, 200 an identical repeat,
    400/409 refused with the code the single endpoint answers with. A reference in the body that
    does not exist (``order_not_found``) is 400 in a batch, as every unknown body reference is."""
    if isinstance(outcome, Ingested):
        return {"index": index, "status": 201 if outcome.created else 200}
    if isinstance(outcome, ValidationError):
        code, detail = validation_error_code_detail(outcome.detail)
        return {"index": index, "status": 400, "code": code, "detail": detail}
    if isinstance(outcome, DomainError):
        status = 400 if outcome.status == 404 else outcome.status
        return {"index": index, "status": status, "code": outcome.code, "detail": outcome.detail}
    raise TypeError(f"not an ingestion outcome: {outcome!r}")
