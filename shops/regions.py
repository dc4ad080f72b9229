"""GB/T 2260 region codes: the one place that knows how a region covers another.

A province code (``330000``) covers every code with the same first 2 digits, a city
(``330100``) the first 4, a district only itself. ``region_contains`` is the one matching rule
(coverage, exemptions, the explainer, the admin filters all ask it); its SQL twins are
``region_contains_q`` (rows that store an area by its ``prefix``: the three prefixes a code can be
covered by, so a match is an equality on an indexed column) and ``region_inside_q`` (rows that
hold a region code: the codes inside one area).
"""

import re

from django.db.models import Q
from django.db.models.functions import Left

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


def region_contains_q(code, *, prefix_field: str = "prefix") -> Q:
    """SQL twin of ``region_contains`` on rows that store an area by its prefix
    (``prefix_field``): the area contains ``code``, a value or an expression (``OuterRef``)."""
    if isinstance(code, str):
        return Q(**{f"{prefix_field}__in": region_prefix_candidates(code)})
    return Q(**{prefix_field: Left(code, 2)}) | Q(**{prefix_field: Left(code, 4)}) | Q(**{prefix_field: code})


def region_inside_q(area: str, *, field: str) -> Q:
    """SQL twin of ``region_contains`` on rows that hold a region code in ``field``: the code
    lies inside ``area`` (or is it)."""
    return Q(**{f"{field}__startswith": region_prefix(area)})


def unknown_region_codes(codes: list[str]) -> list[str]:
    """Codes that are malformed or not in the region table, in the order given."""
    wanted = {c for c in codes if is_well_formed(c)}
    known = set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
    return [c for c in codes if c not in known]
