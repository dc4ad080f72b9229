"""Reports API (SPEC §8): merchant reports, ops decisions, platform exemptions, the explainer."""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.csv_export import CSVExportMixin
from core.api.permissions import IsMerchant, IsOpsReviewer, IsPlatform
from core.api.responses import created_or_existing, created_or_ok
from core.api.serializers import ReasonSerializer
from core.errors import NotFound
from reports import selectors, services
from reports.api import serializers as s
from reports.explainer import coverage_explain
from reports.models import DeliveryReport, UnifiedExemption
from reports.notice import delivery_notice
from shops.selectors import order_get, order_get_for_user

ERROR = OpenApiResponse(description='`{"code", "detail"}`')


def _report_answer(report, code=status.HTTP_200_OK, *, for_ops: bool = False) -> Response:
    report = selectors.report_get_for_ops(report_no=report.report_no)  # fresh, with its links
    return Response(s.ReportSerializer(report, context={"for_ops": for_ops}).data, status=code)


def _scope_items(report) -> list[str]:
    current = services.report_current_version(report)
    return [f"{link.product.title}({link.product.code})" for link in current.product_links.all()] + [
        link.region.name for link in current.region_links.all()
    ]


@extend_schema(tags=["reports"])
class ReportListCreateView(CSVExportMixin, generics.ListAPIView):
    """报备: the caller's reports (filters ``status``, ``scenario``, ``scope``, ``shop``,
    ``expired``, ``order_no`` — every report whose scope matches that order) and filing one.
    ``?format=csv``: every report the filters select, as a streamed CSV file (Chinese headers,
    UTF-8 with BOM), each at its latest approved version."""

    csv_filename = "reports"
    csv_columns = [
        (_("Report number"), lambda r: r.report_no),
        (_("Shop"), lambda r: r.shop.name),
        (_("Scenario"), lambda r: r.get_scenario_display()),
        (_("Scope"), lambda r: r.get_scope_display()),
        (_("Products / regions"), _scope_items),
        (_("Starts at"), lambda r: r.starts_at),
        (_("Ends at"), lambda r: services.report_current_version(r).ends_at),
        (_("Promised ship-by time"), lambda r: services.report_current_version(r).promised_ship_by),
        (_("Version"), lambda r: getattr(services.report_current_version(r), "version", 1)),
        (_("Status"), lambda r: r.get_status_display()),
        (_("Submitted at"), lambda r: r.submitted_at),
        (_("Approved at"), lambda r: r.approved_at),
        (_("Withdrawn at"), lambda r: r.withdrawn_at),
        (_("Revoked at"), lambda r: r.revoked_at),
        (_("Reason"), lambda r: r.reason),
    ]

    permission_classes = [IsMerchant]
    serializer_class = s.ReportSerializer
    filter_backends: list = []

    def get_queryset(self):
        filters = s.ReportListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.report_list_for_merchant(user=self.request.user, filters=filters.validated_data)

    @extend_schema(parameters=[s.ReportListFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ReportCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", location=OpenApiParameter.HEADER, required=False, description="Same as body request_id."
            )
        ],
        responses={201: s.ReportSerializer, 200: s.ReportSerializer, 400: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request):
        body = s.ReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["request_id"] = data["request_id"] or request.headers.get("Idempotency-Key", "")[:64]
        data["shop"] = selectors.shop_get_for_merchant(user=request.user, code=data["shop"])
        result = services.report_submit(actor=request.user, draft=services.ReportDraft(**data))
        return _report_answer(result.report, created_or_ok(result.created))


@extend_schema(
    tags=["reports"],
    request=s.ReportCreateSerializer,
    responses={200: s.CoveragePreviewSerializer, 400: ERROR, 404: ERROR},
)
class ReportPreviewView(APIView):
    """预览覆盖范围: what this draft (a create's body) would cover if filed now — the shop's open
    urge tasks, orders awaiting shipment and pending complaints, each counted with up to 10 order
    numbers. The same validation and error codes as a create; nothing is written."""

    permission_classes = [IsMerchant]

    def post(self, request):
        body = s.ReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["shop"] = selectors.shop_get_for_merchant(user=request.user, code=data["shop"])
        return Response(s.CoveragePreviewSerializer(services.report_preview(draft=services.ReportDraft(**data))).data)


@extend_schema(tags=["reports"], responses={200: s.ReportSerializer, 404: ERROR})
class ReportDetailView(APIView):
    permission_classes = [IsMerchant]

    def get(self, request, report_no: str):
        report = selectors.report_get_for_merchant(user=request.user, report_no=report_no)
        return Response(s.ReportSerializer(report).data)


@extend_schema(tags=["reports"], request=ReasonSerializer, responses={200: s.ReportSerializer, 404: ERROR, 409: ERROR})
class ReportWithdrawView(APIView):
    """The merchant withdraws its own report (pending or approved); it stops covering from now."""

    permission_classes = [IsMerchant]

    def post(self, request, report_no: str):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = selectors.report_get_for_merchant(user=request.user, report_no=report_no)
        return _report_answer(services.report_withdraw(actor=request.user, report=report, **body.validated_data))


@extend_schema(
    tags=["reports"], request=s.AmendCreateSerializer, responses={201: s.ReportSerializer, 400: ERROR, 404: ERROR, 409: ERROR}
)
class ReportAmendView(APIView):
    """Amend an approved report: extend ``ends_at`` or add products/regions. A new version with
    its own approval (auto-approved like a report of its scenario); the answer is the report with
    its ``amendments``. 409 ``report_not_amendable`` / ``report_window_over`` /
    ``amendment_pending``; 400 ``amendment_empty`` / ``amendment_narrows`` / ``window_too_long`` /
    ``promised_ship_by_outside_window`` / ``scope_mismatch`` / ``product_not_in_shop`` /
    ``region_unknown``."""

    permission_classes = [IsMerchant]

    def post(self, request, report_no: str):
        body = s.AmendCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = selectors.report_get_for_merchant(user=request.user, report_no=report_no)
        services.report_amend(actor=request.user, report=report, **body.validated_data)
        return _report_answer(report, status.HTTP_201_CREATED)


class _OpsDecisionView(APIView):
    permission_classes = [IsOpsReviewer]
    service: Callable[..., DeliveryReport]

    def post(self, request, report_no: str):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = selectors.report_get_for_ops(report_no=report_no)
        return _report_answer(type(self).service(actor=request.user, report=report, **body.validated_data), for_ops=True)


_ops_schema = extend_schema(
    tags=["ops"], request=ReasonSerializer, responses={200: s.ReportSerializer, 400: ERROR, 404: ERROR, 409: ERROR}
)


@_ops_schema
class OpsReportApproveView(_OpsDecisionView):
    """Approve a pending report (reason optional)."""

    service = services.report_approve


@_ops_schema
class OpsReportRejectView(_OpsDecisionView):
    """Reject a pending report; ``reason`` is required (``reason_required``)."""

    service = services.report_reject


@_ops_schema
class OpsReportRevokeView(_OpsDecisionView):
    """Revoke an approved report (a false commitment); ``reason`` is required."""

    service = services.report_revoke


@extend_schema(tags=["reports"], responses={200: s.CommitmentLetterSerializer, 404: ERROR})
class CommitmentLetterView(APIView):
    """The commitment letter (承诺书) merchants accept now."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        letter = selectors.commitment_letter_current()
        if letter is None:
            raise NotFound("commitment_letter_missing", gettext("No commitment letter is published yet."))
        return Response(s.CommitmentLetterSerializer(letter).data)


@extend_schema(tags=["exemptions"])
class ExemptionInForceListView(generics.ListAPIView):
    """Unified exemptions (统一免责) in force now."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.ExemptionSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.exemptions_in_force()


@extend_schema(
    tags=["platform"],
    request=s.ExemptionCreateSerializer,
    responses={201: s.ExemptionSerializer, 200: s.ExemptionSerializer, 400: ERROR, 409: ERROR},
)
class PlatformExemptionView(APIView):
    """Push a unified exemption; the same (title, starts_at) again is idempotent."""

    permission_classes = [IsPlatform]

    def post(self, request):
        body = s.ExemptionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exemption, created = services.exemption_create(
            actor=request.user, source=UnifiedExemption.Source.PLATFORM, **body.validated_data
        )
        exemption = selectors.with_exemption_details(UnifiedExemption.objects.filter(pk=exemption.pk)).get()
        return created_or_existing(s.ExemptionSerializer(exemption).data, created=created)


@extend_schema(
    tags=["reports"], parameters=[s.CoverageQuerySerializer], responses={200: s.CoverageSerializer, 400: ERROR, 404: ERROR}
)
class OrderCoverageView(APIView):
    """Why is (or isn't) this order covered at ``at``? Every report of its shop and every
    exemption that could concern it, each with ``covers`` and the reasons it does not."""

    permission_classes = [IsMerchant]

    def get(self, request, order_no: str):
        query = s.CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        order = order_get_for_user(user=request.user, order_no=order_no)
        explanation = coverage_explain(order=order, at=query.validated_data.get("at") or timezone.now())
        return Response(s.CoverageSerializer(explanation).data)


@extend_schema(tags=["platform"], responses={200: s.DeliveryNoticeSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
class PlatformDeliveryNoticeView(APIView):
    """What the buyer's order page shows now: whether a report or unified exemption covers the
    order, the scenario in Chinese, the promised ship time, the report number, and the sentence
    ("商家已报备（疫情），预计12月03日 18:00前发货")."""

    permission_classes = [IsPlatform]

    def get(self, request, order_no: str):
        notice = delivery_notice(order=order_get(order_no=order_no), at=timezone.now())
        return Response(s.DeliveryNoticeSerializer(notice).data)
