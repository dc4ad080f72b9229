"""Demo badge runs: the days of the demo orders (the last 10 days) up to D = today − 3, oldest
first, so the products page shows badges, withheld products and a chart. Re-running replaces."""

from datetime import timedelta

from django.db.models import Max, Min
from django.utils import timezone

from badges.computation import SHANGHAI, default_day
from badges.models import BadgeRun
from badges.services import badge_run_day
from shops.models import Order

ORDER = 50


def seed(stdout) -> list[str]:
    bounds = Order.objects.aggregate(first=Min("paid_at"), last=Max("paid_at"))
    if bounds["first"] is None:
        return []
    first = bounds["first"].astimezone(SHANGHAI).date()
    last = min(bounds["last"].astimezone(SHANGHAI).date(), default_day(timezone.now()))
    day, runs = first, []
    while day <= last:
        runs.append(badge_run_day(day=day, trigger=BadgeRun.Trigger.DEMO))
        day += timedelta(days=1)
    if runs:
        latest = runs[-1]
        stdout.write(
            f"  badges: {len(runs)} days run ({first} – {last}); {latest.day}: "
            f"{latest.badged_count} badged, {latest.withheld_count} withheld of {latest.products_count}"
        )
    return ["  48h badge: portal /badges/ · admin /admin/badges/badgerun/ · python manage.py run_badges"]
