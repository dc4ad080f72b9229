from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from badges.api.serializers import ProductBadgeSerializer
from badges.selectors import badged_q, product_badges_for_user
from core.api.permissions import IsMerchant
from core.errors import InvalidInput

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@extend_schema(
    parameters=[
        OpenApiParameter("shop", description="Shop code"),
        OpenApiParameter("fast_ship_badge", OpenApiTypes.BOOL, description="Only products with (true) or without the badge"),
    ]
)
class ProductBadgeListView(generics.ListAPIView):
    """The caller's products with `fast_ship_badge`, `ranking_boost` and the last 48h pickup rate."""

    permission_classes = [IsMerchant]
    serializer_class = ProductBadgeSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = product_badges_for_user(user=self.request.user)
        params = self.request.query_params
        if params.get("shop"):
            qs = qs.filter(shop__code=params["shop"])
        if "fast_ship_badge" in params:
            value = _BOOLEANS.get(params["fast_ship_badge"].strip().lower())
            if value is None:
                raise InvalidInput("invalid", gettext("fast_ship_badge: must be true or false."))
            qs = qs.filter(badged_q(value))
        return qs
