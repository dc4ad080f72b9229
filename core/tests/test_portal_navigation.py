"""The portal navigation highlights exactly one tab: the section the page belongs to."""

import pytest
from django.test import RequestFactory

from core.context_processors import portal_navigation


def active_tabs(path: str) -> list[str]:
    return [item["url"] for item in portal_navigation(RequestFactory().get(path))["portal_nav"] if item["active"]]


@pytest.mark.parametrize(
    "path, tab",
    [
        ("/tickets/metrics/", "/tickets/metrics/"),  # was: both the tasks' and the metric's tab
        ("/tickets/", "/tickets/"),
        ("/tickets/12/", "/tickets/"),
        ("/reports/new/", "/reports/"),
        ("/", "/"),
    ],
)
def test_exactly_one_tab_is_active(path, tab):
    assert active_tabs(path) == [tab]


def test_a_page_outside_the_sections_highlights_none():
    assert active_tabs("/accounts/login/") == []
