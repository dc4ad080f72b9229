from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Urge-shipment tasks")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core.roles import ensure_role_groups

        # core assigns role permissions on *its* post_migrate, which on a fresh database runs
        # before this app's permissions exist; assign them again once they do.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="tickets-role-permissions")
