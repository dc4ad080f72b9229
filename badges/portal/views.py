from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from badges.portal.charts import sparkline
from badges.selectors import badged_q, chart_window, pickup_history, product_badges_for_user

PAGE_SIZE = 20


@login_required
def products(request):
    """商品与48h揽收打标: each product's current badge and its rate over the last 14 days."""
    queryset = product_badges_for_user(user=request.user)
    badged_only = request.GET.get("badged") == "1"
    if badged_only:
        queryset = queryset.filter(badged_q(True))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    days = chart_window()
    history = pickup_history(product_ids=[p.pk for p in page], days=days)
    threshold = settings.BADGE_RATE_THRESHOLD
    # A product without a stats row in the current run has no ``current_stat`` attribute at all
    # (FilteredRelation + select_related leaves it unset), as the API serializer also allows for.
    rows = [
        {"product": p, "badge": getattr(p, "current_stat", None), "chart": sparkline(days, history.get(p.pk, {}), threshold)}
        for p in page
    ]
    return render(
        request,
        "badges/products.html",
        {
            "page": page,
            "rows": rows,
            "days": days,
            "threshold": threshold,
            "badged_only": badged_only,
            "boost": settings.BADGE_RANKING_BOOST,
            "threshold_percent": (threshold * 100).normalize(),
        },
    )
