from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.opsui import ReadOnlyAdmin
from core.paginators import EstimatedCountPaginator
from shops import services
from shops.models import Order, Product, Region, Shop, ShopMembership
from shops.regions import region_inside_q


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
        if change:
            services.shop_update(actor=request.user, shop=obj, changes={f: form.cleaned_data[f] for f in form.changed_data})
        else:
            obj.pk = services.shop_create(actor=request.user, **{f: form.cleaned_data[f] for f in ("code", "name", "kind")}).pk
            obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        """Memberships are tenant access: every one added, moved or removed goes through its service."""
        formset.save(commit=False)
        for membership in formset.new_objects:
            services.shop_member_add(actor=request.user, shop=form.instance, user=membership.user)
        for membership, _fields in formset.changed_objects:
            services.shop_member_move(actor=request.user, membership=membership, user=membership.user)
        for membership in formset.deleted_objects:
            services.shop_member_remove(actor=request.user, membership=membership)


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
