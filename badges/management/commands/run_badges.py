"""``python manage.py run_badges [--date YYYY-MM-DD]`` — the 48h pickup badge run of day D."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from badges import services
from badges.computation import default_day
from badges.dispatch import planned_ranges
from badges.models import BadgeRun
from core.errors import Conflict


class Command(BaseCommand):
    help = "Compute the 48h pickup rate of orders paid on day D (default today − 3) and publish the badges."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Day D, YYYY-MM-DD (Asia/Shanghai). Default: today − 3.")
        parser.add_argument("--shard-size", type=int, default=None, help="Product ids per range (default BADGE_SHARD_PRODUCTS).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else default_day(timezone.now())
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        if options["shard_size"] is not None and options["shard_size"] < 1:
            raise CommandError("--shard-size must be at least 1")
        ranges = planned_ranges(size=options["shard_size"])
        bar = tqdm(
            total=max(len(ranges), 1) + 1, desc=f"48h badge {day}", unit="step", disable=options["no_progress"], file=self.stderr
        )
        try:
            run = self._run(day, ranges, bar)
        except Conflict as exc:
            raise CommandError(exc.detail) from exc
        finally:
            bar.close()
        self.stdout.write(
            f"{run.day}: {run.get_status_display()} — orders {run.orders_count}, products {run.products_count}, "
            f"badged {run.badged_count}, withheld {run.withheld_count}, duration {run.duration}"
        )

    def _run(self, day, ranges, bar) -> BadgeRun:
        trigger = BadgeRun.Trigger.COMMAND
        if len(ranges) <= 1:
            bar.update(1)
            run = services.badge_run_day(day=day, trigger=trigger)
            bar.update(1)
            return run
        begun = services.badge_run_begin(day=day, shards=len(ranges), trigger=trigger)
        bar.update(1)
        if begun.skipped:
            bar.update(len(ranges))
            return begun.run
        run = begun.run
        try:
            for lo, hi in ranges:
                services.badge_stage_range(run_id=run.pk, attempt=run.attempt, product_range=(lo, hi))
                bar.update(1)
            published = services.badge_run_publish(run_id=run.pk, attempt=run.attempt)
        except Exception as exc:
            services.badge_run_fail(day=day, error=repr(exc), attempt=run.attempt)
            raise
        if published is None:
            raise CommandError(f"The run of {day} was superseded by a newer attempt.")
        return published
