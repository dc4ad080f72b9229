import io
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
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


#: The only way an unpaired surrogate gets into a UTF-8 JSON document: a ``\\uD800``–``\\uDFFF``
#: escape (raw UTF-8 cannot encode one; Python's decoder refuses it). A body without this pattern
#: needs no walk over the parsed document — a 1,000-order batch skips ~10 ms.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus: a document nested too deeply for Python's parser (``[[[[…]]]]``
    100,000 levels) is a 400 ``parse_error`` like any malformed JSON, not a RecursionError (500);
    so is a string with an unpaired surrogate escape (``"\\ud800"``), refused here once for every
    endpoint rather than by each field (SPEC §9)."""

    def parse(self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        utf8 = encoding.lower().replace("-", "").replace("_", "") == "utf8"
        raw = stream.read() if utf8 and stream is not None else None
        try:
            data = super().parse(io.BytesIO(raw) if raw is not None else stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.")
        if (raw is None or _SURROGATE_ESCAPE.search(raw)) and _has_unpaired_surrogate(data):
            raise ParseError("JSON parse error - a string holds an unpaired surrogate (\\ud800–\\udfff), not a character.")
        return data
