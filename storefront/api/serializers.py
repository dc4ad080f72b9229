from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AwareDateTimeField, BoundedListSerializer, MerchantActorField, refuse
from storefront.models import (
    BindingStatus,
    ItemPlatform,
    LibraryItem,
    Listing,
    PidBinding,
    ShopBinding,
    ShopPlatform,
    Storefront,
)
from storefront.parsing import MAX_INPUT_LENGTH


def enum_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose OpenAPI enum stays inline (wrapped in ``allOf``) instead of becoming
    a shared named component: ``platform`` and ``status`` carry different choice sets across the
    API, and spectacular's enum naming would collide (a warning, which CI fails on)."""
    values = [value for value, _label in choices]
    field_class = extend_schema_field(
        {
            "allOf": [{"type": "string", "enum": values}],
            "description": f"One of: {', '.join(values)}.",
        }
    )(type("InlineChoiceField", (serializers.ChoiceField,), {}))
    return field_class(choices=choices, **kwargs)


class StorefrontSerializer(serializers.ModelSerializer):
    active_pid = serializers.SerializerMethodField()
    listed_count = serializers.SerializerMethodField()

    class Meta:
        model = Storefront
        fields = ["id", "name", "created_at", "active_pid", "listed_count"]

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The active PID; null when none is bound."))
    def get_active_pid(self, obj) -> str | None:
        binding = obj.pid_bindings.filter(status=BindingStatus.ACTIVE).first()
        return binding.pid if binding else None

    def get_listed_count(self, obj) -> int:
        return obj.listings.filter(status=Listing.Status.LISTED).count()


class StorefrontCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)


class ShopBindingSerializer(serializers.ModelSerializer):
    platform = enum_field(ShopPlatform.choices, read_only=True)
    status = enum_field(BindingStatus.choices, read_only=True)
    granted_by = MerchantActorField()
    revoked_by = MerchantActorField()
    usable = serializers.SerializerMethodField(help_text="Active and not expired now.")

    class Meta:
        model = ShopBinding
        fields = [
            "id",
            "platform",
            "external_shop_id",
            "external_shop_name",
            "status",
            "usable",
            "granted_at",
            "granted_by",
            "expires_at",
            "revoked_at",
            "revoked_by",
            "revoke_reason",
        ]

    def get_usable(self, obj) -> bool:
        return obj.is_usable(timezone.now())


class ShopBindSerializer(serializers.Serializer):
    platform = enum_field(ShopPlatform.choices)
    external_shop_id = serializers.RegexField(r"^[A-Za-z0-9_.\-]{1,64}$", max_length=64)
    external_shop_name = serializers.CharField(max_length=100)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PidBindingSerializer(serializers.ModelSerializer):
    status = enum_field(BindingStatus.choices, read_only=True)
    bound_by = MerchantActorField()
    revoked_by = MerchantActorField()

    class Meta:
        model = PidBinding
        fields = ["id", "pid", "member_id", "site_id", "adzone_id", "status", "bound_at", "bound_by", "revoked_at", "revoked_by"]


class PidBindSerializer(serializers.Serializer):
    pid = serializers.CharField(max_length=80, help_text="mm_<member>_<site>_<adzone>, e.g. mm_12345678_2345678_34567890")


class LibraryItemSerializer(serializers.ModelSerializer):
    platform = enum_field(ItemPlatform.choices, read_only=True)
    listed = serializers.SerializerMethodField(help_text="Listed in the caller's storefront.")

    class Meta:
        model = LibraryItem
        fields = [
            "id",
            "platform",
            "item_id",
            "title",
            "price",
            "image_url",
            "sales_7d",
            "clicks",
            "stats_at",
            "recommended",
            "version",
            "listed",
        ]

    @extend_schema_field(serializers.BooleanField(allow_null=True, help_text="Null for a caller without a storefront."))
    def get_listed(self, obj) -> bool | None:
        return getattr(obj, "listed", None)


class ListingItemSerializer(serializers.ModelSerializer):
    platform = enum_field(ItemPlatform.choices, read_only=True)

    class Meta:
        model = LibraryItem
        fields = ["id", "platform", "item_id", "title", "price", "image_url"]


class ListingSerializer(serializers.ModelSerializer):
    status = enum_field(Listing.Status.choices, read_only=True)
    library_item = ListingItemSerializer(read_only=True)

    class Meta:
        model = Listing
        fields = ["id", "status", "library_item", "first_listed_at", "listed_at", "removed_at", "times_listed"]


class ListingCreateSerializer(serializers.Serializer):
    """Exactly one of ``text`` (a pasted share token or item link) or ``library_item`` (an id
    from the selection centre)."""

    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"A share token or item link, up to {MAX_INPUT_LENGTH} characters.",
    )
    library_item = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        has_text = bool((attrs.get("text") or "").strip())
        has_item = attrs.get("library_item") is not None
        if has_text and has_item:
            raise refuse("input_ambiguous", "Send either text or library_item, not both.")
        if not has_text and not has_item:
            raise refuse("input_empty", "Paste a share token or an item link.")
        return attrs


class ShareTokenInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    expires_at = AwareDateTimeField(required=False, allow_null=True, default=None)

    class Meta:
        list_serializer_class = BoundedListSerializer  # at most 1,000 (400 too_many_items)


class LibraryItemIngestSerializer(serializers.Serializer):
    platform = enum_field(ItemPlatform.choices)
    item_id = serializers.RegexField(r"^[A-Za-z0-9_\-]{1,64}$", max_length=64)
    title = serializers.CharField(max_length=200)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.00"))
    image_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    sales_7d = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False, default=0)
    clicks = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False, default=0)
    stats_at = AwareDateTimeField(required=False, default=None, help_text="When sales_7d/clicks were measured.")
    share_tokens = ShareTokenInSerializer(many=True, required=False, default=list)


class ShareTokenIngestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    platform = enum_field(ItemPlatform.choices)
    item_id = serializers.CharField(max_length=64)
    expires_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class ShareTokenSerializer(serializers.Serializer):
    code = serializers.CharField()
    library_item = ListingItemSerializer()
    expires_at = serializers.DateTimeField(allow_null=True)
