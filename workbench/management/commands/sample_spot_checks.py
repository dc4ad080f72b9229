from datetime import date

from django.core.management.base import BaseCommand, CommandError

from workbench.spotchecks import spot_checks_sample


class Command(BaseCommand):
    help = "Sample yesterday's (or --date's) auto-approved reports for spot checks (idempotent per day)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (Asia/Shanghai day); default yesterday")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        run = spot_checks_sample(day=day)
        if run.created:
            self.stdout.write(f"{run.day}: sampled {run.sampled} of {run.population} auto-approved reports")
        else:
            self.stdout.write(f"{run.day}: already sampled, nothing to do")
