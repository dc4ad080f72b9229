from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import IsPlatform
from core.api.responses import created_or_existing
from shops import services
from shops.api import bulk
from shops.api import serializers as s
from shops.models import Region


class ShopIngestView(APIView):
    permission_classes = [IsPlatform]

    @extend_schema(request=s.ShopIngestSerializer, responses={200: s.ShopSerializer, 201: s.ShopSerializer})
    def post(self, request):
        data = s.ShopIngestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.shop_ingest(actor=request.user, **data.validated_data)
        return created_or_existing(s.ShopSerializer(result.obj).data, created=result.created)


class ProductIngestView(APIView):
    permission_classes = [IsPlatform]

    @extend_schema(request=s.ProductIngestSerializer, responses={200: s.ProductSerializer, 201: s.ProductSerializer})
    def post(self, request):
        data = s.ProductIngestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.product_ingest(actor=request.user, **data.validated_data)
        return created_or_existing(s.ProductSerializer(result.obj).data, created=result.created)


class OrderIngestView(APIView):
    permission_classes = [IsPlatform]

    @extend_schema(request=s.OrderIngestSerializer, responses={200: s.OrderSerializer, 201: s.OrderSerializer})
    def post(self, request):
        (outcome,) = bulk.validate_items(s.OrderIngestSerializer, [request.data], refs=True)
        if isinstance(outcome, ValidationError):
            raise outcome
        outcome.setdefault("ship_deadline", None)
        result = services.order_ingest(actor=request.user, **outcome)
        return created_or_existing(s.OrderSerializer(result.obj).data, created=result.created)


class OrderEventView(APIView):
    permission_classes = [IsPlatform]

    @extend_schema(request=s.OrderEventSerializer, responses={200: s.OrderSerializer})
    def post(self, request, order_no: str):
        (outcome,) = bulk.validate_items(s.OrderEventSerializer, [request.data])
        if isinstance(outcome, ValidationError):
            raise outcome
        result = services.order_event_apply(actor=request.user, order_no=order_no, event_type=outcome["type"], at=outcome["at"])
        return Response(s.OrderSerializer(result.obj).data, status=status.HTTP_200_OK)


def _bulk_response(outcomes: list, apply) -> Response:
    """Apply the valid items (``apply(validated) -> results``) and answer one result per item."""
    valid = [index for index, outcome in enumerate(outcomes) if not isinstance(outcome, ValidationError)]
    if valid:
        for index, result in zip(valid, apply([outcomes[i] for i in valid]), strict=True):
            outcomes[index] = result
    return Response({"results": [bulk.item_result(index, outcome) for index, outcome in enumerate(outcomes)]})


class OrderBulkIngestView(APIView):
    """Up to 1,000 orders in one request; each judged exactly as ``POST platform/orders/`` would."""

    permission_classes = [IsPlatform]

    @extend_schema(request=s.OrderBulkSerializer, responses={200: s.BulkResultsSerializer})
    def post(self, request):
        items = bulk.batch_items(request.data, "orders")
        outcomes = bulk.validate_items(s.OrderIngestSerializer, items, refs=True)
        return _bulk_response(outcomes, lambda orders: services.orders_ingest(actor=request.user, orders=orders))


class OrderEventBulkView(APIView):
    """Up to 1,000 order events in one request; each judged exactly as
    ``POST platform/orders/{order_no}/events/`` would (201 recorded, 200 already recorded)."""

    permission_classes = [IsPlatform]

    @extend_schema(request=s.OrderEventBulkSerializer, responses={200: s.BulkResultsSerializer})
    def post(self, request):
        items = bulk.batch_items(request.data, "events")
        outcomes = bulk.validate_items(s.BulkOrderEventSerializer, items)
        return _bulk_response(
            outcomes,
            lambda events: services.order_events_apply(
                actor=request.user, events=[(e["order_no"], e["type"], e["at"]) for e in events]
            ),
        )


@extend_schema(
    parameters=[
        OpenApiParameter("q", description="Code prefix or part of the Chinese name"),
        OpenApiParameter("parent", description="Children of this region code"),
    ]
)
class RegionListView(generics.ListAPIView):
    """GB/T 2260 regions with Chinese names (for pickers)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.RegionSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = Region.objects.all()
        q = self.request.query_params.get("q", "").strip()
        if q:
            qs = qs.filter(Q(code__startswith=q) | Q(name__contains=q))
        parent = self.request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent_id=parent)
        return qs.order_by("code")
