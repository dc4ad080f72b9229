from django.core.management.base import BaseCommand

from complaints.services import complaints_judge_pending


class Command(BaseCommand):
    help = "Judge pending complaints filed under complaints.judge_by_reports (the beat job, by hand)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options):
        run = complaints_judge_pending(batch_size=batch_size)
        if run.effective_from is None:
            self.stdout.write("complaints.judge_by_reports is disabled: nothing judged.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Judged {run.judged} complaints in {run.batches} batches: {run.exempt} exempt, {run.liable} merchant-liable."
            )
        )
