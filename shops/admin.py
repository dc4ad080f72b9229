from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shops.models import Order, Product, Region, Shop, ShopMembership
from shops.regions import region_prefix


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


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
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
            return queryset.filter(receiver_region__code__startswith=region_prefix(self.value()))
        return queryset


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["order_no", "shop", "product", "amount", "paid_at", "ship_deadline", "receiver_region",
                    "shipped_at", "picked_up_at", "cancelled_at"]
    list_filter = [("paid_at", admin.DateFieldListFilter), "shop__kind", "shop",
                   ReceiverProvinceFilter]
    search_fields = ["=order_no"]
    list_select_related = ["shop", "product", "receiver_region"]
    raw_id_fields = ["product", "receiver_region", "sender_region"]
    date_hierarchy = "paid_at"
    show_full_result_count = False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.empty_value_display = _("—")
