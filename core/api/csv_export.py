"""Merchant CSV exports (SPEC §11): ``?format=csv`` on a list endpoint answers every row the same
filters select — all pages — as a streamed ``text/csv`` file, UTF-8 with a byte-order mark so
spreadsheet programs read the Chinese headers, written from ``queryset.iterator()`` in chunks.

A view mixes in ``CSVExportMixin`` and names its columns: ``(header, getter)`` pairs, the header
a lazy translation (rendered in Chinese whatever the caller's language), the getter a function of
one row. The queryset is the list's own (``filter_queryset(get_queryset())``): the same tenant
scoping and the same filters.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from rest_framework.renderers import BaseRenderer, JSONRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOM = "\ufeff"
CHUNK = 1000

Column = tuple[Any, Callable[[Any], Any]]  # (a lazy translated header, a getter of one row)


class CSVRenderer(BaseRenderer):
    """Lets DRF's content negotiation accept ``?format=csv``; the body is streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:  # errors only
        return ("" if data is None else str(data)).encode(self.charset)


class _Echo:
    def write(self, value: str) -> str:
        return value


def cell(value: Any) -> str:
    """One value as the file shows it: Shanghai time, plain numbers, lists joined with 、."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | tuple):
        return "、".join(cell(v) for v in value)
    return str(value)


def csv_rows(rows: Iterable[Any], columns: list[Column]) -> Iterator[str]:
    """The file, line by line: the BOM and the Chinese header, then one line a row."""
    writer = csv.writer(_Echo())
    with translation.override("zh-hans"):
        yield BOM + writer.writerow([str(header) for header, _get in columns])
        for row in rows:
            yield writer.writerow([cell(get(row)) for _header, get in columns])


def csv_response(queryset: Any, columns: list[Column], filename: str) -> StreamingHttpResponse:
    rows = queryset.iterator(chunk_size=CHUNK)
    response = StreamingHttpResponse(csv_rows(rows, columns), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(timezone.now(), SHANGHAI).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _Base = GenericAPIView[Any]
else:
    _Base = object


class CSVExportMixin(_Base):
    """For a ``ListAPIView``: ``?format=csv`` streams every filtered row instead of one page."""

    csv_columns: list[Column] = []
    csv_filename = "export"

    def get_renderers(self) -> list[Any]:
        return [*super().get_renderers(), CSVRenderer()]

    def handle_exception(self, exc: Exception) -> Any:
        """A refusal of a CSV request (a bad filter, no permission) is the usual JSON error."""
        response = super().handle_exception(exc)
        if getattr(getattr(self.request, "accepted_renderer", None), "format", None) == "csv":
            self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return response

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(request.accepted_renderer, "format", None) == "csv":
            return csv_response(self.filter_queryset(self.get_queryset()), self.csv_columns, self.csv_filename)
        return super().list(request, *args, **kwargs)  # type: ignore[misc]  # ListAPIView, beside this mixin
