from django.urls import path

from reports.api import views

urlpatterns = [
    path("reports/", views.ReportListCreateView.as_view(), name="reports"),
    path("reports/preview/", views.ReportPreviewView.as_view(), name="report-preview"),
    path("reports/<str:report_no>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<str:report_no>/amend/", views.ReportAmendView.as_view(), name="report-amend"),
    path("reports/<str:report_no>/withdraw/", views.ReportWithdrawView.as_view(), name="report-withdraw"),
    path("ops/reports/<str:report_no>/approve/", views.OpsReportApproveView.as_view(), name="ops-report-approve"),
    path("ops/reports/<str:report_no>/reject/", views.OpsReportRejectView.as_view(), name="ops-report-reject"),
    path("ops/reports/<str:report_no>/revoke/", views.OpsReportRevokeView.as_view(), name="ops-report-revoke"),
    path("commitment-letter/", views.CommitmentLetterView.as_view(), name="commitment-letter"),
    path("exemptions/", views.ExemptionInForceListView.as_view(), name="exemptions"),
    path("platform/exemptions/", views.PlatformExemptionView.as_view(), name="platform-exemptions"),
    path(
        "platform/orders/<str:order_no>/delivery-notice/",
        views.PlatformDeliveryNoticeView.as_view(),
        name="platform-delivery-notice",
    ),
    path("orders/<str:order_no>/coverage/", views.OrderCoverageView.as_view(), name="order-coverage"),
]
