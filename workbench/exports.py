"""Ops exports (SPEC §11: "ops export any admin list as CSV or XLSX") with django-import-export.

Every ops admin list of the domain apps gets, in one place (``install_ops_exports``, called when
the workbench app is ready, after the admin has registered everything):

- an 导出 button on the list that exports what the list shows now (its filters and search), and
- an "export selected" action,

in CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese headers) or XLSX. Headers are
the fields' verbose names and choice fields are exported by their labels, in the page's language
(Chinese by default). Only users who may view the model may export (``view`` permission code).
Exports are read-only: nothing is imported through the admin.
"""

from django.contrib import admin
from django.db import models
from django.utils.encoding import force_str
from import_export import resources
from import_export.admin import ExportActionMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm

from core.roles import DOMAIN_APPS

EXPORT_APPS = (*DOMAIN_APPS, "core")


class BomCSV(base_formats.CSV):
    """CSV with a UTF-8 byte-order mark: Excel and WPS then read the Chinese headers."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)


class OpsExportResource(resources.ModelResource):
    """Headers in the model's own words; choices by their labels."""

    def _model_field(self, field) -> models.Field | None:
        try:
            return self._meta.model._meta.get_field(field.attribute)
        except Exception:  # a computed column: no model field behind it
            return None

    def get_export_headers(self, selected_fields=None):
        headers = []
        for field in self.get_export_fields(selected_fields):
            model_field = self._model_field(field)
            headers.append(force_str(model_field.verbose_name if model_field is not None else field.column_name))
        return headers

    def export_field(self, field, instance, **kwargs):
        model_field = self._model_field(field)
        if model_field is not None and model_field.choices and not model_field.is_relation:
            value = getattr(instance, model_field.attname)
            return force_str(dict(model_field.flatchoices).get(value, value))
        return super().export_field(field, instance, **kwargs)


def export_resource_for(model: type[models.Model]) -> type[resources.ModelResource]:
    meta = type("Meta", (), {"model": model})
    return type(f"{model.__name__}ExportResource", (OpsExportResource,), {"Meta": meta})


class OpsExportMixin(ExportActionMixin):
    formats = [BomCSV, base_formats.XLSX]
    export_form_class = ExportForm  # every column; only the format is chosen

    def get_export_resource_classes(self, request):
        return [export_resource_for(self.model)]


def install_ops_exports(site: admin.AdminSite = admin.site) -> list[type[models.Model]]:
    """Re-register each domain model's admin as a subclass with the export mixin (its own
    behaviour unchanged: the mixin only adds the export view, button and action)."""
    installed = []
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label not in EXPORT_APPS or isinstance(model_admin, OpsExportMixin):
            continue
        cls = type(model_admin)
        exporting = type(cls.__name__, (OpsExportMixin, cls), {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, exporting)
        installed.append(model)
    return installed
