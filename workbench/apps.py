from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The ops workbench (SPEC §11): the dashboard on the admin home and spot checks (抽查)."""

    name = "workbench"
    verbose_name = _("Ops workbench")

    def ready(self) -> None:
        from django.contrib import admin

        from workbench.exports import install_ops_exports

        admin.site.index_template = "workbench/admin_index.html"  # the dashboard above the model list
        install_ops_exports(admin.site)  # CSV/XLSX export on every ops list
