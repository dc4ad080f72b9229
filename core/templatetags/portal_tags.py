"""Portal template helpers."""

from urllib.parse import urlencode

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag
def csv_export_url(api_path: str, query: QueryDict, keys: str) -> str:
    """The list endpoint's ``?format=csv`` URL with the page's own filters (``keys``, space-
    separated, the names the page and the API share): the export holds what the page lists,
    on every page."""
    params = [("format", "csv")] + [(key, query.get(key)) for key in keys.split() if query.get(key)]
    return f"{api_path}?{urlencode(params)}"
