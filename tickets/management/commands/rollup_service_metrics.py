from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from tickets.services import service_metrics_rollup
from tickets.services.metrics import shanghai_today


class Command(BaseCommand):
    help = "Recompute the daily service metric (灯塔 求助率 inputs) per shop; idempotent per day."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="last day to compute, YYYY-MM-DD (default: today, Asia/Shanghai)")
        parser.add_argument("--days", type=int, default=1, help="number of days ending at --date (default 1)")

    def handle(self, *args, **options):
        try:
            last = date.fromisoformat(options["date"]) if options["date"] else shanghai_today()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        if not 1 <= options["days"] <= 400:
            raise CommandError("--days must be between 1 and 400")
        rows = 0
        for n in range(options["days"] - 1, -1, -1):
            rows += service_metrics_rollup(day=last - timedelta(days=n))
        self.stdout.write(f"{rows} shop-day rows written ({options['days']} days ending {last}).")
