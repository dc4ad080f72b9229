from decimal import Decimal
from typing import Any

from rest_framework import serializers

from core.api.fields import AwareDateTimeField, PlatformEventTimeField, refuse, refuse_nul_characters
from shops.models import Order, Product, Region, Shop
from shops.regions import is_well_formed


class RegionCodeField(serializers.CharField):
    """A 6-digit GB/T 2260 code that exists in the region table."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        if not is_well_formed(code):
            raise refuse("region_malformed", f"{code!r} is not a 6-digit region code.")
        if not Region.objects.filter(code=code).exists():
            raise refuse("region_unknown", f"Region {code} is not a GB/T 2260 code.")
        return code


class ShopCodeField(serializers.SlugRelatedField):
    """A shop referenced by its code; unknown codes are ``shop_not_found``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Shop.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        refuse_nul_characters(data)  # before the look-up
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise refuse("shop_not_found", f"Shop {data!r} not found.") from exc


class ShopIngestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Shop.Kind.choices)


class ShopSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shop
        fields = ["code", "name", "kind", "created_at"]


class ProductIngestSerializer(serializers.Serializer):
    shop = ShopCodeField()
    code = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.00"))


class ProductSerializer(serializers.ModelSerializer):
    shop: "serializers.SlugRelatedField[Shop]" = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Product
        fields = ["shop", "code", "title", "price", "created_at"]


class OrderIngestSerializer(serializers.Serializer):
    order_no = serializers.CharField(max_length=40)
    shop = ShopCodeField()
    product = serializers.CharField(max_length=40, help_text="Product code within the body's shop.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    paid_at = PlatformEventTimeField()
    ship_deadline = AwareDateTimeField(required=False, allow_null=True)
    receiver_region = RegionCodeField()
    sender_region = RegionCodeField()

    def validate(self, attrs):
        product = Product.objects.filter(shop=attrs["shop"], code=attrs["product"]).first()
        if product is None:
            raise refuse("product_not_found", f"Product {attrs['product']!r} not found in shop {attrs['shop'].code}.")
        attrs["product"] = product
        return attrs


class OrderSerializer(serializers.ModelSerializer):
    shop: "serializers.SlugRelatedField[Shop]" = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product: "serializers.SlugRelatedField[Product]" = serializers.SlugRelatedField(slug_field="code", read_only=True)
    receiver_region = serializers.CharField(source="receiver_region_id", read_only=True)
    sender_region = serializers.CharField(source="sender_region_id", read_only=True)

    class Meta:
        model = Order
        fields = [
            "order_no",
            "shop",
            "product",
            "amount",
            "paid_at",
            "ship_deadline",
            "receiver_region",
            "sender_region",
            "shipped_at",
            "picked_up_at",
            "cancelled_at",
        ]


class OrderEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["shipped", "picked_up", "cancelled"])
    at = PlatformEventTimeField()


class RegionSerializer(serializers.ModelSerializer):
    parent: Any = serializers.CharField(source="parent_id", read_only=True, allow_null=True)  # a field named like Field.parent

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]
