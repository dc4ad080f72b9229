from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _has_unpaired_surrogate(data: Any) -> bool:
    """Whether any string (key or value) in a parsed document holds a lone UTF-16 surrogate
    (``"\\ud800"`` is valid JSON but no character: it cannot be stored, nor even echoed back in
    an error message as UTF-8). Iterative, so a deep document is no RecursionError."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus: a document nested too deeply for Python's parser (``[[[[…]]]]``
    100,000 levels) is a 400 ``parse_error`` like any malformed JSON, not a RecursionError (500);
    so is a string with an unpaired surrogate escape (``"\\ud800"``), refused here once for every
    endpoint rather than by each field (SPEC §9)."""

    def parse(self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.")
        if _has_unpaired_surrogate(data):
            raise ParseError("JSON parse error - a string holds an unpaired surrogate (\\ud800–\\udfff), not a character.")
        return data
