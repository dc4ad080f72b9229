import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from core.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from rest_framework.views import APIView

_POSITIVE_INT = re.compile(r"[1-9][0-9]*", re.ASCII)
_MAX_DIGITS = 18  # a longer page number is past the last page of anything, not a malformed one


class Pagination(PageNumberPagination):
    """``count``/``next``/``previous``/``results``; ``page_size`` up to 100 (SPEC §8).

    Strict about its own query parameters: ``page`` and ``page_size`` must be positive integers
    (``page_size`` at most 100) or the answer is 400 ``invalid_page`` / ``invalid_page_size``,
    never a silent fallback; a page past the last is 404 ``page_not_found``."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _POSITIVE_INT.fullmatch(raw) or len(raw) > 3 or int(raw) > self.max_page_size:
            raise InvalidInput(
                "invalid_page_size", f"page_size must be a whole number from 1 to {self.max_page_size}; got {raw[:40]!r}."
            )
        return int(raw)

    def get_page_number(self, request: Request, paginator: "Paginator[Any]") -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        if not _POSITIVE_INT.fullmatch(raw):
            raise InvalidInput("invalid_page", f"page must be a whole number from 1; got {raw[:40]!r}.")
        if len(raw) > _MAX_DIGITS:
            raise NotFound("page_not_found", f"There is no page {raw[:40]}…; the last page is {paginator.num_pages}.")
        return int(raw)

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: "APIView | None" = None
    ) -> list[Any]:
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage:
            raise NotFound("page_not_found", f"There is no page {page_number}; the last page is {paginator.num_pages}.")
        return list(self.page)

    def get_schema_operation_parameters(self, view: "APIView") -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
