from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("48h pickup badge")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core.roles import ensure_role_groups

        # core connects ensure_role_groups to its own post_migrate, which on a fresh database
        # fires before this app's permissions exist; re-run it once ours are created.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="badges_ensure_role_groups")
