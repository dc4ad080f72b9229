import time

from django.core.management.base import BaseCommand

from tickets.services import SweepResult, tickets_send_due_reminders, tickets_sweep_overdue


class Command(BaseCommand):
    help = "Mark due open urge tasks overdue (filing complaints per policy) and send due reminders."

    def add_arguments(self, parser):
        parser.add_argument("--no-reminders", action="store_true", help="only the overdue sweep")
        parser.add_argument(
            "--progress-every", type=int, default=100_000, help="print progress every N tasks made overdue (0: never)"
        )

    def handle(self, *args, **options):
        every, started = options["progress_every"], time.monotonic()
        shown = [0]

        def progress(total: SweepResult) -> None:
            if every and total.overdue >= shown[0] + every:
                shown[0] = total.overdue - total.overdue % every
                self.stdout.write(f"… {total.overdue:,} overdue so far ({time.monotonic() - started:.0f}s)")

        result = tickets_sweep_overdue(progress=progress)
        self.stdout.write(
            f"overdue: {result.overdue}, complaints filed: {result.complaints_filed}, "
            f"complaints waived by policy: {result.complaints_waived}"
        )
        if not options["no_reminders"]:
            self.stdout.write(f"reminders sent: {tickets_send_due_reminders()}")
