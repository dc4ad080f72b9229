"""Demo spot checks: the daily sampling job run over the demo's last ten days (the auto-approved
demo reports get sampled, pending for ops), and one check confirmed so merchant1's inbox shows a
result. Idempotent: a sampled day is never sampled again, a decided check is left alone."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from tickets.services.metrics import shanghai_today
from workbench.models import SpotCheck
from workbench.spotchecks import spot_check_decide, spot_checks_sample

ORDER = 60
DAYS = 10


def seed(stdout) -> list[str]:
    today = shanghai_today(timezone.now())
    sampled = sum(spot_checks_sample(day=today - timedelta(days=n)).sampled for n in range(1, DAYS + 1))
    ops = get_user_model().objects.filter(username="ops").first()
    checks = list(SpotCheck.objects.select_related("report").order_by("pk"))
    if ops is not None and len(checks) >= 2 and not any(c.status != SpotCheck.Status.PENDING for c in checks):
        spot_check_decide(actor=ops, spot_check=checks[0], result=SpotCheck.Status.CONFIRMED, note="已电话核实封控通知，属实")
    pending = SpotCheck.objects.filter(status=SpotCheck.Status.PENDING).count()
    return [f"  spot checks: {sampled} sampled now, {pending} pending review (admin: 运营工作台 › 抽查)"]
