from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from core.roles import MERCHANT, OPS_REVIEWER, PLATFORM, grant_role
from shops.models import Shop


class Command(BaseCommand):
    help = "Create the user if needed, give it a role and print its API token (the last line)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        role = parser.add_mutually_exclusive_group(required=True)
        role.add_argument("--platform", action="store_true", help="a platform service user (ingestion API)")
        role.add_argument("--ops", action="store_true", help="an ops reviewer (admin and ops API)")
        role.add_argument("--shop", metavar="CODE", help="a merchant member of shop CODE")

    @transaction.atomic
    def handle(self, *args, username: str, platform: bool, ops: bool, shop: str | None, **options):
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
        elif ops:
            grant_role(user, OPS_REVIEWER)
        else:
            grant_role(user, MERCHANT)
            if shop_obj is not None:  # --shop is the only other choice (a required group)
                shop_obj.memberships.get_or_create(user=user)
        token, _ = Token.objects.get_or_create(user=user)
        role = "platform" if platform else "ops reviewer" if ops else f"merchant of {shop}"
        self.stdout.write(f"{'Created' if created else 'Updated'} {username} ({role}).")
        self.stdout.write(token.key)
