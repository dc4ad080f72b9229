"""GB/T 2260 region codes: the one place that knows how a region covers another.

A province code (``330000``) covers every code with the same first 2 digits, a city
(``330100``) the first 4, a district only itself. ``region_prefix`` is the Python rule;
``region_prefix_candidates`` is its SQL-friendly twin: the three prefixes a code can be
covered by, so a match is an equality on an indexed ``prefix`` column.
"""

import re

from shops.models import Region

_CODE = re.compile(r"^\d{6}$")


def is_well_formed(code: str) -> bool:
    return bool(_CODE.match(code or ""))


def region_level(code: str) -> str:
    if code.endswith("0000"):
        return Region.Level.PROVINCE
    if code.endswith("00"):
        return Region.Level.CITY
    return Region.Level.DISTRICT


def region_prefix(code: str) -> str:
    """The prefix every code inside ``code`` starts with."""
    level = region_level(code)
    if level == Region.Level.PROVINCE:
        return code[:2]
    if level == Region.Level.CITY:
        return code[:4]
    return code


def region_contains(area: str, code: str) -> bool:
    """True when region ``code`` lies inside region ``area`` (or is it)."""
    return code.startswith(region_prefix(area))


def region_prefix_candidates(code: str) -> tuple[str, str, str]:
    """The prefixes of the areas that can contain ``code``: province, city, itself."""
    return code[:2], code[:4], code


def unknown_region_codes(codes: list[str]) -> list[str]:
    """Codes that are malformed or not in the region table, in the order given."""
    wanted = {c for c in codes if is_well_formed(c)}
    known = set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
    return [c for c in codes if c not in known]
