"""Form fields shared by the portal and the admin: the same bounds as the API (``core.bounds``)."""

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError

from core import bounds


def _validate(value: datetime | None) -> datetime | None:
    if value is None:
        return value
    try:
        return bounds.check_datetime(value)
    except bounds.BoundsError as exc:
        raise ValidationError(exc.detail, code=exc.code) from exc


class BoundedDateTimeField(forms.DateTimeField):
    """A portal datetime: 2000-01-01 – 2100-01-01 (Asia/Shanghai), never a 500 on odd input."""

    def to_python(self, value: str | datetime | date | None) -> datetime | None:
        try:
            value = super().to_python(value)
        except (OverflowError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return _validate(value)


class BoundedSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date + time pair, with the same bounds."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", admin_widgets.AdminSplitDateTime)
        super().__init__(**kwargs)

    def compress(self, data_list: tuple[date, time] | None) -> datetime | None:
        try:
            value = super().compress(data_list)
        except (OverflowError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid_date") from exc
        return _validate(value)
