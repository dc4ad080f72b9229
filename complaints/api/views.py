from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import selectors, services
from complaints.api import serializers as s
from complaints.api.filters import AppealFilter, ComplaintFilter
from complaints.models import Appeal, Complaint
from core.api.csv_export import CSVExportMixin
from core.api.permissions import IsMerchant, IsOpsReviewer, IsPlatform
from core.api.responses import created_or_existing
from core.api.serializers import ReasonSerializer


class ComplaintIngestView(APIView):
    """A buyer's complaint pushed by the platform; idempotent by ``event_id``."""

    permission_classes = [IsPlatform]

    @extend_schema(request=s.ComplaintIngestSerializer, responses={200: s.ComplaintSerializer, 201: s.ComplaintSerializer})
    def post(self, request):
        data = s.ComplaintIngestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint, created = services.complaint_file(
            actor=request.user,
            event_id=values["event_id"],
            order=values["order_no"],
            reason=values["reason"],
            source=Complaint.Source.BUYER,
            filed_at=values["filed_at"],
            message=values["message"],
            evidence=values["evidence"],
        )
        complaint = selectors.complaint_get(complaint_id=complaint.pk)
        return created_or_existing(s.ComplaintSerializer(complaint).data, created=created)


def _basis(complaint) -> str:
    if complaint.basis_exemption_id:
        return complaint.basis_exemption.title
    return complaint.basis_report.report_no if complaint.basis_report_id else ""


class ComplaintListView(CSVExportMixin, generics.ListAPIView):
    """The complaints of the caller's shops. ``?format=csv``: every complaint the filters select,
    as a streamed CSV file (Chinese headers, UTF-8 with BOM)."""

    csv_filename = "complaints"
    csv_columns = [
        (_("Complaint"), lambda c: c.pk),
        (_("Order number"), lambda c: c.order.order_no),
        (_("Shop"), lambda c: c.order.shop.name),
        (_("Order amount"), lambda c: c.order.amount),
        (_("Reason"), lambda c: c.get_reason_display()),
        (_("Source"), lambda c: c.get_source_display()),
        (_("Filed at"), lambda c: c.filed_at),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Verdict"), lambda c: c.get_verdict_display()),
        (_("Basis"), _basis),
        (_("Penalty"), lambda c: c.penalty),
        (_("Judged at"), lambda c: c.judged_at),
    ]

    permission_classes = [IsMerchant]
    serializer_class = s.ComplaintSerializer
    filterset_class = ComplaintFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return selectors.complaints_for_user(user=self.request.user).order_by("-filed_at", "-id")


class ComplaintDetailView(generics.RetrieveAPIView):
    permission_classes = [IsMerchant]
    serializer_class = s.ComplaintSerializer

    def get_object(self):
        return selectors.complaint_get_for_user(user=self.request.user, complaint_id=self.kwargs["pk"])


class ComplaintJudgeView(APIView):
    """Manual review by ops (the legacy path, or before the job has run)."""

    permission_classes = [IsOpsReviewer]

    @extend_schema(request=s.ComplaintJudgeSerializer, responses={200: s.ComplaintSerializer})
    def post(self, request, pk: int):
        data = s.ComplaintJudgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = selectors.complaint_get(complaint_id=pk)
        services.complaint_judge(actor=request.user, complaint=complaint, **data.validated_data)
        return Response(s.ComplaintSerializer(selectors.complaint_get(complaint_id=pk), context={"for_ops": True}).data)


class AppealListCreateView(generics.ListCreateAPIView):
    """The appeals of the caller's shops; POST files one (checks of SPEC §5, in order)."""

    permission_classes = [IsMerchant]
    serializer_class = s.AppealSerializer
    filterset_class = AppealFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Appeal.objects.none()
        return selectors.appeals_for_user(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=s.AppealCreateSerializer, responses={200: s.AppealSerializer, 201: s.AppealSerializer})
    def post(self, request):
        data = s.AppealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint = selectors.complaint_get_for_user(user=request.user, complaint_id=values["complaint"])
        appeal, created = services.appeal_create(
            actor=request.user,
            complaint=complaint,
            report_no=values["report_no"],
            statement=values["statement"],
        )
        appeal = selectors.appeal_get(appeal_id=appeal.pk)
        return created_or_existing(s.AppealSerializer(appeal).data, created=created)


class AppealDetailView(generics.RetrieveAPIView):
    permission_classes = [IsMerchant]
    serializer_class = s.AppealSerializer

    def get_object(self):
        return selectors.appeal_get_for_user(user=self.request.user, appeal_id=self.kwargs["pk"])


class AppealAcceptView(APIView):
    permission_classes = [IsOpsReviewer]

    @extend_schema(request=ReasonSerializer, responses={200: s.AppealSerializer})
    def post(self, request, pk: int):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_accept(actor=request.user, appeal=selectors.appeal_get(appeal_id=pk), **data.validated_data)
        return Response(s.AppealSerializer(selectors.appeal_get(appeal_id=pk)).data)


class AppealRejectView(APIView):
    permission_classes = [IsOpsReviewer]

    @extend_schema(request=ReasonSerializer, responses={200: s.AppealSerializer})
    def post(self, request, pk: int):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_reject(actor=request.user, appeal=selectors.appeal_get(appeal_id=pk), **data.validated_data)
        return Response(s.AppealSerializer(selectors.appeal_get(appeal_id=pk)).data)
