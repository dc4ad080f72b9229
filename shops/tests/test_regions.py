import pytest
from django.db.models import Value

from shops.models import Region
from shops.regions import (
    region_contains,
    region_contains_q,
    region_inside_q,
    region_level,
    region_prefix,
    unknown_region_codes,
)

CASES = [
    ("330000", "330102", True),  # province covers its districts
    ("330000", "330100", True),  # … and its cities
    ("330000", "330000", True),
    ("330000", "340102", False),  # another province
    ("330100", "330102", True),  # city covers its districts
    ("330100", "330281", False),  # Ningbo's district is not in Hangzhou
    ("330102", "330102", True),  # a district only itself
    ("330102", "330105", False),
    ("110000", "110101", True),  # municipality: districts sit directly under it
    ("429004", "429004", True),  # county-level city directly under a province
    ("420000", "429004", True),
]


@pytest.mark.parametrize(("area", "code", "inside"), CASES)
def test_region_contains(area, code, inside):
    assert region_contains(area, code) is inside


@pytest.mark.django_db
@pytest.mark.parametrize(("area", "code", "inside"), CASES)
def test_sql_twins_agree_with_region_contains(area, code, inside):
    from django.db.models import F

    from reports.models import ExemptionRegion
    from reports.tests.factories import UnifiedExemptionFactory

    # rows that store an area by its prefix: does the area contain ``code`` (a value, an expression)?
    link = UnifiedExemptionFactory(regions=[area]).region_links.get()
    links = ExemptionRegion.objects.filter(pk=link.pk)
    assert links.filter(region_contains_q(code)).exists() is inside
    assert links.annotate(code=Value(code)).filter(region_contains_q(F("code"))).exists() is inside
    # rows that hold a region code: is it inside ``area``?
    assert Region.objects.filter(region_inside_q(area, field="code"), code=code).exists() is inside


def test_prefix_and_level():
    assert (region_prefix("330000"), region_level("330000")) == ("33", "province")
    assert (region_prefix("330100"), region_level("330100")) == ("3301", "city")
    assert (region_prefix("330102"), region_level("330102")) == ("330102", "district")


@pytest.mark.django_db
def test_region_table_holds_real_gb2260_codes():
    assert Region.objects.get(code="330106").name == "西湖区"
    assert Region.objects.get(code="330100").parent_id == "330000"
    assert Region.objects.get(code="110101").parent_id == "110000"
    assert Region.objects.filter(level="province").count() >= 31
    assert Region.objects.count() > 3000


@pytest.mark.django_db
def test_unknown_region_codes_flags_malformed_and_missing():
    assert unknown_region_codes(["330102", "33010", "abcdef", "999999", "440305"]) == ["33010", "abcdef", "999999"]
