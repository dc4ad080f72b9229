from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from core.tokens import token_list, token_status


def _fmt(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "List API tokens (key prefix, user, kind, created, expires, last used, status). Keys are never shown."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", metavar="USERNAME", help="only this user's tokens")
        parser.add_argument("--all", action="store_true", help="include revoked and expired tokens")

    def handle(self, *args: Any, user: str | None, all: bool, **options: Any) -> None:
        now = timezone.now()
        rows = [
            (
                t.prefix,
                t.user.get_username(),
                t.kind,
                _fmt(t.created_at),
                _fmt(t.expires_at),
                _fmt(t.last_used_at),
                token_status(t, now=now),
            )
            for t in token_list(username=user, include_dead=all, now=now)
        ]
        header = ("PREFIX", "USER", "KIND", "CREATED", "EXPIRES", "LAST USED", "STATUS")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if not rows:
            self.stdout.write("(no tokens)")
