from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from badges.models import WithheldReason
from shops.models import Product, Shop

NEUTRAL_BOOST = Decimal("1.00")


class ProductBadgeSerializer(serializers.ModelSerializer):
    """A product with its current 48h pickup badge (the latest published day D)."""

    shop: "serializers.SlugRelatedField[Shop]" = serializers.SlugRelatedField(slug_field="code", read_only=True)
    fast_ship_badge = serializers.SerializerMethodField()
    ranking_boost = serializers.SerializerMethodField()
    pickup_rate = serializers.DecimalField(
        source="current_stat.rate",
        max_digits=5,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="48h pickup rate of the orders paid on `pickup_day` (0–1); null when none.",
    )
    pickup_day = serializers.DateField(source="current_stat.day", read_only=True, allow_null=True)
    paid_orders = serializers.IntegerField(source="current_stat.paid_orders", read_only=True, allow_null=True)
    picked_up_48h = serializers.IntegerField(source="current_stat.picked_up_48h", read_only=True, allow_null=True)
    withheld_reason = serializers.ChoiceField(
        source="current_stat.withheld_reason",
        choices=WithheldReason.choices,
        read_only=True,
        allow_null=True,
        help_text="Why a qualifying product has no badge: the scope of the report in force at run time.",
    )
    withheld_report = serializers.CharField(source="current_stat.withheld_report.report_no", read_only=True, allow_null=True)

    class Meta:
        model = Product
        fields = [
            "shop",
            "code",
            "title",
            "price",
            "fast_ship_badge",
            "ranking_boost",
            "pickup_rate",
            "pickup_day",
            "paid_orders",
            "picked_up_48h",
            "withheld_reason",
            "withheld_report",
        ]

    def _badge(self, product):
        return getattr(product, "current_stat", None)

    def get_fast_ship_badge(self, product) -> bool:
        badge = self._badge(product)
        return bool(badge and badge.badged)

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=2))
    def get_ranking_boost(self, product) -> str:
        """Ranking multiplier: BADGE_RANKING_BOOST with the badge, else 1.00 (a decimal string)."""
        badge = self._badge(product)
        return str((badge.ranking_boost if badge else NEUTRAL_BOOST).quantize(Decimal("0.01")))
