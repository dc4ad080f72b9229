"""Geometry for the inline SVG chart of the daily service metric (no JS, no library)."""

from datetime import date, timedelta
from typing import Any

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 200, 36, 24, 12


def metric_chart(rows, *, first_day: date, days: int) -> dict:
    """Bars per day: tasks opened (grey) and not-replied-on-time + complaints (red); missing days are 0."""
    by_day = {row.day: row for row in rows}
    series: list[dict[str, Any]] = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        row = by_day.get(day)
        opened = row.tasks_opened if row else 0
        bad = (row.overdue + row.complaints) if row else 0
        series.append({"day": day, "opened": opened, "bad": bad, "paid": row.paid_orders if row else 0})
    top = max([1] + [max(p["opened"], p["bad"]) for p in series])
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = (WIDTH - PAD_LEFT) / days
    bar = max(slot / 2 - 1, 1)
    for n, point in enumerate(series):
        x = PAD_LEFT + n * slot
        point["x_opened"] = round(x + 1, 1)
        point["x_bad"] = round(x + 1 + bar, 1)
        point["h_opened"] = round(plot_h * point["opened"] / top, 1)
        point["h_bad"] = round(plot_h * point["bad"] / top, 1)
        point["y_opened"] = round(PAD_TOP + plot_h - point["h_opened"], 1)
        point["y_bad"] = round(PAD_TOP + plot_h - point["h_bad"], 1)
        point["label"] = n % 5 == 0 or n == days - 1
        point["x_label"] = round(x + slot / 2, 1)
    return {
        "series": series,
        "width": WIDTH,
        "height": HEIGHT,
        "bar": round(bar, 1),
        "top": top,
        "base_y": PAD_TOP + plot_h,
        "pad_left": PAD_LEFT,
        "top_y": PAD_TOP,
        "label_y": HEIGHT - 6,
    }
