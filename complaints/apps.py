from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints and appeals")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core.roles import ensure_role_groups

        # core connects ensure_role_groups to its own post_migrate, which runs before this app's
        # permissions exist on a fresh database; re-run it once ours are created (idempotent).
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="complaints_role_groups")
