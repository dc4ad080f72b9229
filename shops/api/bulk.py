"""The one validation path of platform ingestion, for a single item and for a batch (SPEC §8).

The single endpoints validate their body as a batch of one, the bulk endpoints validate every
item: the same serializer instance's ``run_validation`` with the batch's references read up front
(``IngestRefs``: three queries whatever the batch size). A refused item keeps its own
``ValidationError`` so the single endpoint can raise it unchanged and the bulk endpoint can turn
it into ``{code, detail}`` with the exception handler's own rule."""

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from core.api.exception_handler import validation_error_code_detail
from core.api.fields import AwareDateTimeField, PlatformEventTimeField, refuse
from core.api.responses import created_or_ok
from core.bounds import MAX_LIST_ITEMS, check_not_in_future, datetime_bounds_error
from core.errors import DomainError
from core.results import Ingested
from shops.api.serializers import IngestRefs, OrderIngestSerializer


def batch_items(data, key: str) -> list:
    """The list under ``key`` of a bulk body: 400 ``required`` / ``invalid`` / ``too_many_items``."""
    if not isinstance(data, dict) or key not in data:
        raise ValidationError({key: [serializers.ErrorDetail("This field is required.", code="required")]})
    items = data[key]
    if not isinstance(items, list):
        raise ValidationError({key: [serializers.ErrorDetail("Expected a list of items.", code="invalid")]})
    if len(items) > MAX_LIST_ITEMS:
        raise refuse("too_many_items", f"At most {MAX_LIST_ITEMS} {key} per request; got {len(items)}.")
    return items


def validate_items(serializer_class: type[serializers.Serializer], items: Sequence, *, refs: bool = False) -> list:
    """Each item's validated data, or the ``ValidationError`` that refuses it, in order.

    An order item that ``_plain_order`` recognises as plainly valid takes that path (the same
    values the serializer would return, ~20× cheaper: DRF's per-field machinery was ~1 ms an
    order); anything else — every refusal included — is judged by the serializer itself."""
    context = {"refs": IngestRefs(list(items))} if refs else {}
    serializer = serializer_class(context=context)
    plain = _PlainOrder(serializer, context["refs"]) if serializer_class is OrderIngestSerializer and refs else None
    outcomes: list = []
    for item in items:
        if plain is not None and (values := plain(item)) is not None:
            outcomes.append(values)
            continue
        try:
            outcomes.append(serializer.run_validation(item))
        except ValidationError as error:
            outcomes.append(ValidationError(_as_serializer_errors(error.detail)))
    return outcomes


class _PlainOrder:
    """The serializer's answer for an order item whose every value is plainly valid, or None.

    It only ever accepts (an item it is unsure of goes to the serializer, which also gives every
    refusal its code), and for what it accepts it returns exactly what
    ``OrderIngestSerializer.run_validation`` returns — the datetimes and the amount go through the
    serializer's own fields' conversions; ``test_plain_order_path_agrees_with_the_serializer``
    compares both on a table of inputs."""

    _KEYS = ("order_no", "shop", "product", "amount", "paid_at", "ship_deadline", "receiver_region", "sender_region")
    _CODE = re.compile(r"[^\x00\s][^\x00]{0,38}[^\x00\s]|[^\x00\s]")  # 1–40 chars, no NUL, no edge space
    _AMOUNT = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?")
    _CENT = Decimal("0.01")

    def __init__(self, serializer: serializers.Serializer, refs: IngestRefs) -> None:
        self.refs = refs
        self.amount = serializer.fields["amount"]
        self.validators = [
            (name, field.run_validators) for name, field in serializer.fields.items() if name != "shop" and field.validators
        ]
        paid_at_field = serializer.fields["paid_at"]
        assert isinstance(paid_at_field, serializers.DateTimeField)
        self.zone = paid_at_field.default_timezone()
        self.parse_paid_at = self._parser(serializer.fields["paid_at"])
        self.parse_ship_deadline = self._parser(serializer.fields["ship_deadline"])

    def _parser(self, field):
        """The shortcut for the datetime field classes it knows; any other field converts itself."""
        if type(field) is AwareDateTimeField:
            return self._when
        if type(field) is PlatformEventTimeField:
            return lambda text: check_not_in_future(self._when(text))
        return field.to_internal_value

    def _when(self, text: str) -> datetime:
        """``AwareDateTimeField`` for a string with an offset: Django's ``parse_datetime`` is
        ``fromisoformat`` first, DRF then converts an aware value to the current time zone;
        anything else (no offset, out of range, an offset beyond ±14:00) raises and goes to the
        serializer, which refuses it with its code."""
        value = datetime.fromisoformat(text)
        if value.tzinfo is None or datetime_bounds_error(value) is not None:
            raise ValueError(text)
        return value.astimezone(self.zone)

    def __call__(self, item) -> dict | None:
        if type(item) is not dict:
            return None
        try:
            order_no, shop_code, product_code, amount, paid_at, receiver, sender = (
                item["order_no"],
                item["shop"],
                item["product"],
                item["amount"],
                item["paid_at"],
                item["receiver_region"],
                item["sender_region"],
            )
        except KeyError:
            return None
        refs, code = self.refs, self._CODE.fullmatch
        if not (
            type(order_no) is str
            and type(product_code) is str
            and type(amount) is str
            and type(shop_code) is str
            and type(paid_at) is str
            and type(receiver) is str
            and type(sender) is str
            and code(order_no)
            and code(product_code)
            and self._AMOUNT.fullmatch(amount)
            and receiver in refs.regions
            and sender in refs.regions
        ):
            return None
        shop = refs.shops.get(shop_code)
        product = refs.products.get((shop.pk, product_code)) if shop is not None else None
        if product is None:
            return None
        try:
            value = self.amount.to_internal_value(amount)
            if value < self._CENT:  # the field's MinValueValidator
                return None
            values = {
                "order_no": order_no,
                "shop": shop,
                "product": product,
                "amount": value,
                "paid_at": self.parse_paid_at(paid_at),
            }
            if "ship_deadline" in item:
                deadline = item["ship_deadline"]
                if deadline is not None and type(deadline) is not str:
                    return None
                values["ship_deadline"] = None if deadline is None else self.parse_ship_deadline(deadline)
        except (ValidationError, ValueError, DomainError):
            return None
        values["receiver_region"] = receiver
        values["sender_region"] = sender
        try:  # the fields' own validators (length, NUL, bounds), on the converted values as DRF runs them
            for name, run_validators in self.validators:
                value = product_code if name == "product" else values.get(name)
                if value is not None:
                    run_validators(value)
        except ValidationError:
            return None
        return values


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
        return {"index": index, "status": created_or_ok(outcome.created)}
    if isinstance(outcome, ValidationError):
        code, detail = validation_error_code_detail(outcome.detail)
        return {"index": index, "status": 400, "code": code, "detail": detail}
    if isinstance(outcome, DomainError):
        status = 400 if outcome.status == 404 else outcome.status
        return {"index": index, "status": status, "code": outcome.code, "detail": outcome.detail}
    raise TypeError(f"not an ingestion outcome: {outcome!r}")
