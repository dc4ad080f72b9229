from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform rules and audit")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core.roles import ensure_role_groups

        # Without a sender: permissions of apps migrated after core must exist first.
        post_migrate.connect(ensure_role_groups, dispatch_uid="core.ensure_role_groups")
