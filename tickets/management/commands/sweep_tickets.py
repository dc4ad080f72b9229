from django.core.management.base import BaseCommand

from tickets.services import tickets_send_due_reminders, tickets_sweep_overdue


class Command(BaseCommand):
    help = "Mark due open urge tasks overdue (filing complaints per policy) and send due reminders."

    def add_arguments(self, parser):
        parser.add_argument("--no-reminders", action="store_true", help="only the overdue sweep")

    def handle(self, *args, **options):
        result = tickets_sweep_overdue()
        self.stdout.write(
            f"overdue: {result.overdue}, complaints filed: {result.complaints_filed}, "
            f"complaints waived by policy: {result.complaints_waived}"
        )
        if not options["no_reminders"]:
            self.stdout.write(f"reminders sent: {tickets_send_due_reminders()}")
