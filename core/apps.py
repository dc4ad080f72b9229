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

        # SPEC §9 bounds in every admin form: each model DateTimeField gets the bounded
        # date + time pair (core.forms), so a new admin cannot forget it. The admin app's
        # ready() (autodiscover) ran first and each ModelAdmin copied the defaults, so the
        # registered ones are updated too.
        from django import forms
        from django.contrib import admin
        from django.contrib.admin import options
        from django.db import models

        from core.forms import BoundedSplitDateTimeField

        for overrides in [options.FORMFIELD_FOR_DBFIELD_DEFAULTS] + [
            m.formfield_overrides for m in admin.site._registry.values()
        ]:
            current = overrides.get(models.DateTimeField, {})
            if current.get("form_class", forms.SplitDateTimeField) is forms.SplitDateTimeField:
                overrides[models.DateTimeField] = {**current, "form_class": BoundedSplitDateTimeField}
