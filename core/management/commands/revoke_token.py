from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.tokens import token_revoke, token_status, tokens_matching


class Command(BaseCommand):
    help = "Revoke API tokens: one by its key prefix (as list_tokens shows it) or its key, or all of --user's."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", nargs="?", default="", help="the token's key prefix (at least 6 characters) or whole key")
        parser.add_argument("--user", metavar="USERNAME", default="", help="revoke every live token of this user")
        parser.add_argument("--reason", default="", help="kept in the audit trail")

    def handle(self, *args: Any, prefix: str, user: str, reason: str, **options: Any) -> None:
        prefix = prefix.strip()
        if not prefix and not user:
            raise CommandError("Name a token by its key prefix, or pass --user USERNAME.")
        if prefix and len(prefix) < 6:
            raise CommandError("A key prefix needs at least 6 characters.")
        tokens = [t for t in tokens_matching(prefix=prefix, username=user) if token_status(t) != "revoked"]
        if not tokens:
            raise CommandError("No live token matches.")
        if prefix and not user and len({t.user_id for t in tokens}) > 1:
            raise CommandError("That prefix names tokens of several users; give more characters or --user.")
        for token in tokens:
            token_revoke(token=token, reason=reason)
            self.stdout.write(f"Revoked {token.prefix}… ({token.user.get_username()}, {token.kind}).")
