"""The ops-UI toolkit every app's admin uses (one of each):

* ``ReadOnlyAdminMixin`` / ``ReadOnlyAdmin`` — rows that change only through services: no add, no
  delete; with ``decided_by_actions = True`` the change view stays open (every field read-only)
  for the admin actions and buttons that call the services, else nothing can be changed;
* ``audit_trail_html`` — an object's audit rows as the one table ops read everywhere (labels from
  ``core.audit_labels``);
* ``ReasonForm`` — the reason an ops decision carries (required or optional);
* ``decide_each`` — run a service on each selected row: a refusal of one row (a domain error)
  does not stop the others; one success line with the count and one error line per refused row.
"""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.audit import SYSTEM, audit_trail
from core.audit_labels import action_label, reason_label, status_label
from core.errors import DomainError
from core.models import AuditEntry

if TYPE_CHECKING:  # Django's admin classes are generic in the stubs only
    from django.contrib.admin.options import BaseModelAdmin
    from django_stubs_ext import StrOrPromise

    _AdminBase = BaseModelAdmin[Model]
    _ModelAdminBase = admin.ModelAdmin[Model]
    _AnyModelAdmin = admin.ModelAdmin[Any]  # whichever model's admin runs the action
else:
    _AdminBase = object
    _ModelAdminBase = admin.ModelAdmin

_M = TypeVar("_M", bound=Model)


class ReadOnlyAdminMixin(_AdminBase):
    """For a ``ModelAdmin`` or an inline: ops read the rows; services write them."""

    #: keep the change view (all model fields read-only) for actions and buttons that call services
    decided_by_actions = False
    #: with ``decided_by_actions``: display-only fields shown after the model's fields
    readonly_extra: tuple[str, ...] = ()

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.decided_by_actions and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str] | tuple[str, ...]:
        if self.decided_by_actions:
            return [f.name for f in self.model._meta.fields] + list(self.readonly_extra)
        return super().get_readonly_fields(request, obj)


class ReadOnlyAdmin(ReadOnlyAdminMixin, _ModelAdminBase):
    pass


def actor_shown(actor_label: str) -> str:
    return str(_("system")) if actor_label == SYSTEM else actor_label


def audit_trail_html(obj: Model | None = None, *, entries: Iterable[AuditEntry] | None = None) -> str:
    """The audit rows of ``obj`` (or the given ``entries``), oldest first, as an HTML table."""
    if entries is None:
        if obj is None:
            raise TypeError("audit_trail_html() needs an object or its entries")
        entries = audit_trail(obj)
    rows = list(entries)
    if not rows:
        return "—"
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                actor_shown(e.actor_label),
                action_label(e.action),
                status_label(e.target_type, e.from_status) or "—",
                status_label(e.target_type, e.to_status) or "—",
                reason_label(e.reason),
            )
            for e in rows
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("time"),
        _("by"),
        _("action"),
        _("status"),
        _("reason"),
        body,
    )


class ReasonForm(forms.Form):
    """The reason of an ops decision; ``required=False`` for decisions where it is optional."""

    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if not required:
            self.fields["reason"].help_text = _("Optional.")


def _pk_label(obj: Model) -> str:
    return f"#{obj.pk}"


def decide_each(
    modeladmin: "_AnyModelAdmin",
    request: HttpRequest,
    objects: Iterable[_M],
    call: Callable[[_M], object],
    *,
    row_label: Callable[[_M], str] = _pk_label,
    done_message: Callable[[int], str] | None = None,
) -> int:
    """``call(obj)`` for each row (each its own service transaction); returns how many succeeded."""
    done, refused = 0, []
    for obj in objects:
        try:
            call(obj)
            done += 1
        except DomainError as exc:
            refused.append(f"{row_label(obj)}: {exc.detail} ({exc.code})")
    if done:
        text = done_message(done) if done_message else _("%(count)d done.") % {"count": done}
        modeladmin.message_user(request, text, messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)
    return done


def action_form(request: HttpRequest, form_class: type[forms.Form] = ReasonForm, **kwargs: Any) -> forms.Form:
    """The confirmation form of a two-step action: bound once the ops person pressed "apply"."""
    return form_class(request.POST if "apply" in request.POST else None, **kwargs)


def decide_each_action(
    modeladmin: "_AnyModelAdmin",
    request: HttpRequest,
    queryset: QuerySet[_M],
    *,
    form: forms.Form,
    call: Callable[[_M, dict[str, Any]], object],
    title: "StrOrPromise",
    action: str,
    template: str,
    extra: dict[str, object] | None = None,
    row_label: Callable[[_M], str] = _pk_label,
    done_message: Callable[[int], str] | None = None,
) -> TemplateResponse | None:
    """A "decide each selected row" admin action in two steps: the confirmation page with ``form``
    (``template``), then, once applied and valid, ``call(obj, form.cleaned_data)`` for each row
    through ``decide_each``. Returns the page, or ``None`` (back to the list)."""
    if form.is_bound and form.is_valid():
        decide_each(
            modeladmin,
            request,
            queryset,
            lambda obj: call(obj, form.cleaned_data),
            row_label=row_label,
            done_message=done_message,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": queryset,
        "form": form,
        "action": action,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
        **(extra or {}),
    }
    return TemplateResponse(request, template, context)
