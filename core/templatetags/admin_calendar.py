"""The changelists' date drill-down without reading the table: ``{% calendar_date_hierarchy cl %}``.

Django's own ``{% date_hierarchy %}`` lists the years, months or days that hold rows with
``SELECT DISTINCT date_trunc(…)`` over the (filtered) list: at 10M orders a day, a scan of the
whole table, or of a month, on every page view. This tag reads only the first and last value of
the field in the list (``MIN``/``MAX``: an index probe at each end where the field is indexed) and
offers every calendar year, month or day between them. A day or month without rows may therefore
be offered; choosing it shows an empty list. Same context as Django's tag, same template, so the
page looks the same. ``templates/admin/change_list.html`` puts it in every changelist.
"""

import calendar
import datetime
from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy as django_date_hierarchy
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


def _bounds(cl: ChangeList, field_name: str) -> tuple[datetime.date, datetime.date] | None:
    found = cl.queryset.aggregate(first=models.Min(field_name), last=models.Max(field_name))
    first, last = found["first"], found["last"]
    if first is None or last is None:
        return None
    if isinstance(first, datetime.datetime):
        first, last = (timezone.localtime(v) if timezone.is_aware(v) else v for v in (first, last))
        return first.date(), last.date()
    return first, last


@register.inclusion_tag("admin/date_hierarchy.html")
def calendar_date_hierarchy(cl: ChangeList) -> dict[str, Any]:
    field_name = cl.date_hierarchy
    year_field, month_field, day_field = (f"{field_name}__{part}" for part in ("year", "month", "day"))
    year, month, day = (cl.params.get(f) for f in (year_field, month_field, day_field))
    field = get_fields_from_path(cl.model, field_name)[-1]
    if day or not isinstance(field, models.DateField | models.DateTimeField):
        return django_date_hierarchy(cl) or {"show": False}  # a single day (no query), or not a date: Django's own

    def link(filters: dict[str, Any]) -> str:
        return str(cl.get_query_string(filters, [f"{field_name}__"]))

    bounds = _bounds(cl, field_name)
    if bounds is None:
        return {"show": True, "back": None, "choices": []} if year else {"show": False}
    first, last = bounds
    if not year and first.year == last.year:  # Django opens the only year (and month) at once
        year = str(first.year)
        if first.month == last.month:
            month = str(first.month)
    if year and month:
        y, m = int(year), int(month)
        days = [datetime.date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
                if first <= d <= last
            ],
        }
    if year:
        y = int(year)
        months = [datetime.date(y, m, 1) for m in range(1, 13)]
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: d.month}),
                    "title": capfirst(formats.date_format(d, "YEAR_MONTH_FORMAT")),
                }
                for d in months
                if (first.year, first.month) <= (y, d.month) <= (last.year, last.month)
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: str(y)}), "title": str(y)} for y in range(first.year, last.year + 1)],
    }
