from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.csv_export import CSVExportMixin
from core.api.permissions import IsMerchant, IsPlatform
from core.api.responses import created_or_existing
from core.errors import InvalidInput
from tickets import selectors, services
from tickets.api import serializers as s
from tickets.models import UrgeTask
from tickets.options import reply_options_active
from tickets.services.metrics import shanghai_today


class UrgeIngestView(APIView):
    """A buyer's urge pushed by the platform: 201 for ``task_created``, else 200 (repeats too)."""

    permission_classes = [IsPlatform]

    @extend_schema(request=s.UrgeIngestSerializer, responses={200: s.UrgeAnswerSerializer, 201: s.UrgeAnswerSerializer})
    def post(self, request):
        data = s.UrgeIngestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.urge_ingest(actor=request.user, **data.validated_data)
        created = result.created and result.outcome == "task_created"
        return created_or_existing(result.answer, created=created)


@extend_schema(
    parameters=[
        OpenApiParameter("status", enum=UrgeTask.Status.values, description="Task status"),
        OpenApiParameter("order_no", description="Exact order number"),
    ]
)
class TicketListView(CSVExportMixin, generics.ListAPIView):
    """The caller's shops' urge tasks, soonest due first. ``?format=csv``: every task the filters
    select, as a streamed CSV file (Chinese headers, UTF-8 with BOM)."""

    csv_filename = "urge-tasks"
    csv_columns = [
        (_("Task"), lambda t: t.pk),
        (_("Order number"), lambda t: t.order.order_no),
        (_("Shop"), lambda t: t.shop.name),
        (_("Status"), lambda t: t.get_status_display()),
        (_("Urges"), lambda t: t.urge_count),
        (_("Opened at"), lambda t: t.opened_at),
        (_("Reply due at"), lambda t: t.reply_due_at),
        (_("Replied at"), lambda t: t.replied_at),
        (_("Reply"), lambda t: t.reply_option.name if t.reply_option else ""),
        (_("Reply message"), lambda t: t.reply_message),
        (_("Promised ship-by time"), lambda t: t.promised_ship_by),
        (_("Overdue at"), lambda t: t.overdue_at),
    ]

    permission_classes = [IsMerchant]
    serializer_class = s.TicketSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        status_filter = params.get("status") or None
        if status_filter and status_filter not in UrgeTask.Status.values:
            raise InvalidInput(
                "invalid", gettext("status: must be one of %(values)s.") % {"values": ", ".join(UrgeTask.Status.values)}
            )
        return selectors.ticket_list_for_user(
            user=self.request.user, status=status_filter, order_no=params.get("order_no") or None
        )


class TicketDetailView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses={200: s.TicketDetailSerializer})
    def get(self, request, pk: int):
        return Response(s.TicketDetailSerializer(selectors.ticket_get_for_user(user=request.user, pk=pk)).data)


class TicketReplyView(APIView):
    """Reply to one of the caller's shop's tasks (another shop's task is a 404)."""

    permission_classes = [IsMerchant]

    @extend_schema(request=s.TicketReplySerializer, responses={200: s.TicketDetailSerializer})
    def post(self, request, pk: int):
        task = selectors.ticket_get_for_reply(user=request.user, pk=pk)
        data = s.TicketReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.ticket_reply(actor=request.user, task=task, **data.validated_data)
        return Response(s.TicketDetailSerializer(selectors.ticket_get_for_user(user=request.user, pk=task.pk)).data)


class ReplyOptionListView(generics.ListAPIView):
    """The reply options that can be chosen now."""

    serializer_class = s.ReplyOptionSerializer
    filter_backends: list = []

    def get_queryset(self):
        return reply_options_active(timezone.now())


@extend_schema(
    parameters=[
        OpenApiParameter("shop", description="Only this shop (code)"),
        OpenApiParameter(
            "days",
            {"type": "integer", "minimum": 1, "maximum": 90},
            description="Window length in days ending today (1–90, default 30)",
        ),
    ]
)
class ServiceMetricView(generics.ListAPIView):
    """灯塔 求助率 per shop: rolling-window totals, the rate and the daily series."""

    permission_classes = [IsMerchant]
    serializer_class = s.ServiceMetricSerializer
    filter_backends: list = []

    def _window(self) -> tuple:
        raw = self.request.query_params.get("days", "30")
        try:
            days = int(raw)
        except ValueError:
            raise InvalidInput("invalid", gettext("days: must be an integer."))
        if not 1 <= days <= 90:
            raise InvalidInput("invalid", gettext("days: must be between 1 and 90."))
        last_day = shanghai_today()
        return days, last_day - timedelta(days=days - 1), last_day

    def get_queryset(self):
        days, _start, last_day = self._window()
        return selectors.service_metrics_for_user(
            user=self.request.user,
            last_day=last_day,
            days=days,
            shop_code=self.request.query_params.get("shop") or None,
        )

    def get_serializer_context(self):
        _days, start, end = self._window()
        return {**super().get_serializer_context(), "window_start": start, "window_end": end}
