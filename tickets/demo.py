"""Demo urge tasks on recent unshipped demo orders, made through the services (so the audit
trail, complaints and metrics are real): open, merged, due soon, replied, overdue, replied late."""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from shops.models import Order, Shop
from tickets.models import Urge, UrgeTask
from tickets.services import service_metrics_rollup, ticket_reply, tickets_sweep_overdue, urge_ingest
from tickets.services.metrics import shanghai_today

ORDER = 30
PER_SHOP = 8
# (hours before now the buyer urged, a second urge?, reply?)
PLAN = [
    (2, False, None),
    (3, True, None),
    (30, False, None),
    (30, False, "cannot_ship"),
    (10, False, "shipped"),
    (10, False, "ship_later"),
    (22, False, None),
    (50, False, None),
]


def seed(stdout) -> list[str]:
    if Urge.objects.filter(event_id__startswith="demo-").exists():
        return []
    User = get_user_model()
    platform = User.objects.filter(username="platform").first()
    now = timezone.now().replace(microsecond=0)
    created = 0
    replies: list[tuple[int, str, Any]] = []
    for shop in Shop.objects.filter(orders__order_no__startswith="DEMO").distinct().order_by("code"):
        merchant = User.objects.filter(shop_memberships__shop=shop).order_by("username").first()
        orders = Order.objects.filter(
            shop=shop, shipped_at__isnull=True, cancelled_at__isnull=True, paid_at__lte=now - timedelta(hours=60)
        ).order_by("-paid_at")[:PER_SHOP]
        for order, (hours, again, option) in zip(orders, PLAN, strict=False):
            urged_at = now - timedelta(hours=hours)
            result = urge_ingest(actor=platform, event_id=f"demo-{order.order_no}-1", order_no=order.order_no, urged_at=urged_at)
            created += 1
            if again:
                urge_ingest(
                    actor=platform,
                    event_id=f"demo-{order.order_no}-2",
                    order_no=order.order_no,
                    urged_at=urged_at + timedelta(minutes=40),
                )
            if option and result.urge.task_id and merchant:
                replies.append((result.urge.task_id, option, merchant))
    swept = tickets_sweep_overdue(now=now)
    for task_id, option, merchant in replies:
        task = UrgeTask.objects.get(pk=task_id)
        ticket_reply(
            actor=merchant,
            task=task,
            option=option,
            message="已与买家沟通，尽快处理。",
            promised_ship_by=now + timedelta(days=2) if option == "ship_later" else None,
            at=now,
        )
    today = shanghai_today(now)
    for n in range(11):
        service_metrics_rollup(day=today - timedelta(days=n), now=now)
    stdout.write(
        f"  tickets: {created} urges, {swept.overdue} overdue tasks, {len(replies)} replies, "
        f"{swept.complaints_filed} complaints filed by the sweep"
    )
    return []
