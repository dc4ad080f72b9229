from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.models import ApiToken
from core.roles import MERCHANT, OPS_REVIEWER, PLATFORM, grant_role
from core.tokens import token_issue
from shops.models import Shop


class Command(BaseCommand):
    help = (
        "Create the user if needed, add a role (its other roles stay) and print a NEW API token "
        "(the last line; it is shown only now — the database keeps its hash)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        role = parser.add_mutually_exclusive_group(required=True)
        role.add_argument("--platform", action="store_true", help="a platform service user (ingestion API)")
        role.add_argument("--ops", action="store_true", help="an ops reviewer (admin and ops API)")
        role.add_argument("--shop", metavar="CODE", help="a merchant member of shop CODE")

    @transaction.atomic
    def handle(self, *args: Any, username: str, platform: bool, ops: bool, shop: str | None, **options: Any) -> None:
        shop_obj = None
        if shop is not None:
            shop_obj = Shop.objects.filter(code=shop).first()
            if shop_obj is None:
                raise CommandError(f"Shop {shop!r} does not exist; create it first (POST /api/v1/platform/shops/).")
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if platform:
            grant_role(user, PLATFORM)
            kind = ApiToken.Kind.PLATFORM
        elif ops:
            grant_role(user, OPS_REVIEWER)
            kind = ApiToken.Kind.OPS
        else:
            grant_role(user, MERCHANT)
            if shop_obj is not None:  # --shop is the only other choice (a required group)
                shop_obj.memberships.get_or_create(user=user)
            kind = ApiToken.Kind.MERCHANT
        token, key = token_issue(user=user, kind=kind)
        role = "platform" if platform else "ops reviewer" if ops else f"merchant of {shop}"
        expires = f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "never expires"
        self.stdout.write(f"{'Created' if created else 'Updated'} {username} ({role}); token {token.prefix}… {expires}.")
        self.stdout.write(key)
