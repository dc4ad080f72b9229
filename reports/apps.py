from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Delivery reports and exemptions")

    def ready(self) -> None:
        from core.roles import ensure_role_groups

        # core's own hook runs when core's permissions exist but before this app's are created
        # (post_migrate goes app by app), so on a fresh database the ops groups would lack the
        # reports permissions. Re-run it once ours exist; it is idempotent.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="reports_role_groups")
