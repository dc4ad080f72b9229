from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.paginators import EstimatedCountPaginator
from shops.models import Order, Product, Region, Shop, ShopMembership
from shops.regions import region_inside_q


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that arrive through the platform's ingestion (its rules, its audit rows) or as
    reference data: ops read them here, nobody edits them by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = ShopMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        before = Shop.objects.filter(pk=obj.pk).values(*form.changed_data).first() if change else None
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            audit_record(
                actor=request.user,
                target=obj,
                action="shop_changed",
                data={field: [str(before[field]), str(getattr(obj, field))] for field in form.changed_data},
            )
        elif not change:
            audit_record(actor=request.user, target=obj, action="shop_created", data={"kind": obj.kind})

    def save_formset(self, request, form, formset, change):
        """Memberships are tenant access: every one added, moved or removed is audited on the shop."""
        formset.save()
        changes = [("shop_member_added", m.user) for m in formset.new_objects]
        changes += [("shop_member_added", m.user) for m, _fields in formset.changed_objects]
        changes += [("shop_member_removed", m.user) for m in formset.deleted_objects]
        for action, user in changes:
            audit_record(actor=request.user, target=form.instance, action=action, data={"user": user.get_username()})


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "shop", "price"]
    list_filter = ["shop__kind"]
    search_fields = ["code", "title", "shop__code"]
    list_select_related = ["shop"]
    autocomplete_fields = ["shop"]


class ReceiverProvinceFilter(admin.SimpleListFilter):
    """Receiver province (省), matched by code prefix as everywhere else (shops.regions)."""

    title = _("receiver province")
    parameter_name = "receiver_province"

    def lookups(self, request, model_admin):
        return Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(region_inside_q(self.value(), field="receiver_region__code"))
        return queryset


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "order_no",
        "shop",
        "product",
        "amount",
        "paid_at",
        "ship_deadline",
        "receiver_region",
        "shipped_at",
        "picked_up_at",
        "cancelled_at",
    ]
    list_filter = [("paid_at", admin.DateFieldListFilter), "shop__kind", "shop", ReceiverProvinceFilter]
    search_fields = ["=order_no"]
    list_select_related = ["shop", "product", "receiver_region"]
    raw_id_fields = ["product", "receiver_region", "sender_region"]
    date_hierarchy = "paid_at"
    paginator = EstimatedCountPaginator  # millions of rows: no COUNT(*) per page view
    show_full_result_count = False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


admin.site.empty_value_display = "—"  # the same in every language
