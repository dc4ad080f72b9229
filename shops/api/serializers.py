from decimal import Decimal
from typing import Any

from rest_framework import serializers

from core.api.fields import AwareDateTimeField, PlatformEventTimeField, refuse, refuse_nul_characters
from shops.models import Order, Product, Region, Shop
from shops.regions import is_well_formed
from shops.services import ProductRef


class RegionCodeField(serializers.CharField):
    """A 6-digit GB/T 2260 code that exists in the region table."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        if not is_well_formed(code):
            raise refuse("region_malformed", f"{code!r} is not a 6-digit region code.")
        refs = self.context.get("refs")
        if not (code in refs.regions if refs is not None else Region.objects.filter(code=code).exists()):
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
        refs = self.context.get("refs")
        if refs is not None:
            shop = refs.shops.get(str(data))
            if shop is None:
                raise refuse("shop_not_found", f"Shop {data!r} not found.")
            return shop
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
        refs = self.context.get("refs")
        if refs is not None:
            product = refs.products.get((attrs["shop"].pk, attrs["product"]))
        else:
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


class BulkOrderEventSerializer(OrderEventSerializer):
    """One item of ``order-events/bulk/``: the single endpoint's body plus the order it is about."""

    order_no = serializers.CharField(max_length=40)


class IngestRefs:
    """The shops, products and regions a batch of order items refers to, read in three queries
    whatever the batch size. In a serializer's ``context["refs"]`` the reference fields look
    codes up here instead of one query per field per item (the single endpoint uses it too, with a
    batch of one, so both judge an item by the same code)."""

    MAX_CODE = 40  # no stored shop/product code is longer: a longer value cannot match

    def __init__(self, items: list) -> None:
        dicts = [item for item in items if isinstance(item, dict)]
        shop_codes = self._candidates(item.get("shop") for item in dicts)
        self.shops = {shop.code: shop for shop in Shop.objects.filter(code__in=shop_codes)} if shop_codes else {}
        product_codes = self._candidates(item.get("product") for item in dicts)
        self.products = (
            {
                (ref.shop_id, ref.code): ref
                for ref in map(
                    ProductRef._make,
                    Product.objects.filter(shop__in=list(self.shops.values()), code__in=product_codes).values_list(
                        "pk", "shop_id", "code"
                    ),
                )
            }
            if product_codes and self.shops
            else {}
        )
        region_codes = {
            code
            for code in self._candidates(item.get(key) for item in dicts for key in ("receiver_region", "sender_region"))
            if is_well_formed(code)
        }
        self.regions = set(Region.objects.filter(code__in=region_codes).values_list("code", flat=True)) if region_codes else set()

    @classmethod
    def _candidates(cls, values) -> set[str]:
        """The strings a field could look up for these raw values (as given, and stripped)."""
        found: set[str] = set()
        for value in values:
            if value is None:
                continue
            text = str(value)
            if "\x00" in text:  # refused before any look-up (PostgreSQL cannot compare it)
                continue
            found.update(t for t in (text, text.strip()) if len(t) <= cls.MAX_CODE)
        return found


class RegionSerializer(serializers.ModelSerializer):
    parent: Any = serializers.CharField(source="parent_id", read_only=True, allow_null=True)  # a field named like Field.parent

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class OrderBulkSerializer(serializers.Serializer):
    """Schema of ``orders/bulk/`` (the items are validated one by one, see ``shops.api.bulk``)."""

    orders = OrderIngestSerializer(many=True, max_length=1000, help_text="At most 1,000 orders.")  # type: ignore[call-arg]


class OrderEventBulkSerializer(serializers.Serializer):
    """Schema of ``order-events/bulk/``."""

    events = BulkOrderEventSerializer(many=True, max_length=1000, help_text="At most 1,000 events.")  # type: ignore[call-arg]


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request (from 0).")
    status = serializers.ChoiceField(
        choices=[201, 200, 400, 409],
        help_text="201 created / recorded, 200 an identical repeat (nothing changed), 400 refused input, 409 a conflict.",
    )
    code = serializers.CharField(required=False, help_text="Refused items only: the single endpoint's error code.")
    detail = serializers.CharField(required=False, help_text="Refused items only.")


class BulkResultsSerializer(serializers.Serializer):
    results = BulkItemResultSerializer(many=True, help_text="One result per item, in the request's order.")
