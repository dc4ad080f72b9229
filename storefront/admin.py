"""Ops admin (Chinese): the content library with its recommended flag, share tokens, and the
storefronts' bindings and listings, read-only (grants are the creators' own records)."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.opsui import ReadOnlyAdminMixin
from core.roles import is_ops_reviewer
from storefront.models import LibraryItem, Listing, PidBinding, ShareToken, ShopBinding, Storefront
from storefront.services import library_item_set_recommended
from storefront.text import search_terms


class OpsAdmin(admin.ModelAdmin):
    """Visible to ops reviewers by role, checked directly (``core.roles.is_ops_reviewer``)."""

    def has_module_permission(self, request) -> bool:
        return is_ops_reviewer(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_ops_reviewer(request.user)


class ReadOnlyAdmin(ReadOnlyAdminMixin, OpsAdmin):
    """Rows the creators' services write: ops read them."""


@admin.register(LibraryItem)
class LibraryItemAdmin(OpsAdmin):
    """Content library (内容商品库). Ops edit only the recommended flag; items come from the platform."""

    list_display = ["title", "platform", "item_id", "price", "sales_7d", "clicks", "stats_at", "recommended", "version"]
    list_editable = ["recommended"]
    list_filter = ["recommended", "platform"]
    search_fields = ["search_text"]
    search_help_text = _("Title words or item id; case- and width-insensitive.")
    readonly_fields = [
        "platform",
        "item_id",
        "title",
        "price",
        "image_url",
        "sales_7d",
        "clicks",
        "stats_at",
        "version",
        "created_at",
        "updated_at",
    ]
    fields = [*readonly_fields[:8], "recommended", *readonly_fields[8:]]
    actions = ["mark_recommended", "unmark_recommended"]
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return is_ops_reviewer(request.user)

    def get_search_results(self, request, queryset, search_term):
        for term in search_terms(search_term):
            queryset = queryset.filter(search_text__contains=term)
        return queryset, False

    def save_model(self, request, obj, form, change):
        if "recommended" in form.changed_data:
            library_item_set_recommended(actor=request.user, item=obj, recommended=obj.recommended)

    @admin.action(description=_("Mark as recommended"))
    def mark_recommended(self, request, queryset):
        self._set_recommended(request, queryset, True)

    @admin.action(description=_("Remove the recommended mark"))
    def unmark_recommended(self, request, queryset):
        self._set_recommended(request, queryset, False)

    def _set_recommended(self, request, queryset, value: bool) -> None:
        items = list(queryset.exclude(recommended=value)[:500])
        for item in items:
            library_item_set_recommended(actor=request.user, item=item, recommended=value)
        self.message_user(request, _("%(count)d items updated.") % {"count": len(items)}, messages.SUCCESS)


@admin.register(ShareToken)
class ShareTokenAdmin(ReadOnlyAdmin):
    list_display = ["code", "library_item", "expires_at", "created_at"]
    search_fields = ["=code", "library_item__item_id"]
    list_select_related = ["library_item"]


@admin.register(Storefront)
class StorefrontAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]


@admin.register(ShopBinding)
class ShopBindingAdmin(ReadOnlyAdmin):
    list_display = [
        "storefront",
        "platform",
        "external_shop_name",
        "external_shop_id",
        "status",
        "granted_at",
        "granted_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    ]
    list_filter = ["platform", "status"]
    search_fields = ["external_shop_id", "external_shop_name", "storefront__name"]
    list_select_related = ["storefront", "granted_by", "revoked_by"]


@admin.register(PidBinding)
class PidBindingAdmin(ReadOnlyAdmin):
    list_display = ["storefront", "pid", "status", "bound_at", "bound_by", "revoked_at", "revoked_by"]
    list_filter = ["status"]
    search_fields = ["pid", "storefront__name"]
    list_select_related = ["storefront", "bound_by", "revoked_by"]


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ["storefront", "library_item", "status", "first_listed_at", "listed_at", "removed_at", "times_listed"]
    list_filter = ["status", "library_item__platform"]
    search_fields = ["storefront__name", "library_item__item_id"]
    list_select_related = ["storefront", "library_item"]
