"""Ops exports: every domain admin list exports CSV (with a BOM) and XLSX, Chinese headers."""

import io

import pytest
from django.contrib import admin
from django.urls import reverse
from openpyxl import load_workbook

from complaints.models import Complaint
from core.models import AuditEntry
from reports.models import DeliveryReport, ReportAmendment
from reports.tests.factories import DeliveryReportFactory
from tickets.models import UrgeTask
from workbench.exports import OpsExportMixin, export_resource_for
from workbench.models import SpotCheck

pytestmark = pytest.mark.django_db
CSV, XLSX = "0", "1"


@pytest.fixture
def ops_client(client, ops_user):
    client.force_login(ops_user)
    return client


@pytest.mark.parametrize("model", [DeliveryReport, Complaint, UrgeTask, SpotCheck, AuditEntry])
def test_every_ops_list_has_the_export(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, OpsExportMixin)
    assert [f.__name__ for f in model_admin.get_export_formats()] == ["BomCSV", "XLSX"]


@pytest.mark.parametrize(
    ("model", "first_columns"),
    [
        (DeliveryReport, ["id", "report_no", "shop", "scenario", "scope"]),
        (ReportAmendment, ["id", "report", "version", "scope"]),
    ],
)
def test_export_columns_keep_the_models_field_order(model, first_columns):
    """Columns come in the order the model declares its fields (import-export sorts them by
    creation). Fields moved to an abstract base would come first — the report number would no
    longer lead the 报备 export (docs/decisions.md, "Duplicates left in reports/")."""
    columns = [field.column_name for field in export_resource_for(model)().get_export_fields()]
    assert columns[: len(first_columns)] == first_columns


def test_csv_of_the_filtered_list_with_chinese_headers_and_labels(ops_client, shop):
    DeliveryReportFactory(shop=shop, report_no="BB-APPROVED")
    DeliveryReportFactory(shop=shop, report_no="BB-PENDING", status=DeliveryReport.Status.PENDING_REVIEW)
    url = reverse("admin:reports_deliveryreport_export") + "?status__exact=pending_review"
    page = ops_client.get(url)
    assert page.status_code == 200 and 'name="format"' in page.content.decode()
    response = ops_client.post(url, {"format": CSV, "resource": "0"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    header = body.lstrip("\ufeff").splitlines()[0]
    assert "报备编号" in header or "编号" in header
    assert "BB-PENDING" in body and "BB-APPROVED" not in body  # the list's filter applies
    assert "待审核" in body  # the status by its label


def test_xlsx_export(ops_client, shop):
    DeliveryReportFactory(shop=shop, report_no="BB-X1")
    response = ops_client.post(reverse("admin:reports_deliveryreport_export"), {"format": XLSX, "resource": "0"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert any("BB-X1" in [str(v) for v in row] for row in rows[1:])
    assert any(isinstance(h, str) and any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in rows[0])


def test_export_selected_action(ops_client, shop):
    chosen = DeliveryReportFactory(shop=shop, report_no="BB-CHOSEN")
    DeliveryReportFactory(shop=shop, report_no="BB-OTHER")
    url = reverse("admin:reports_deliveryreport_changelist")
    page = ops_client.post(url, {"action": "export_admin_action", "_selected_action": [chosen.pk]})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="format"' in body


def test_merchant_cannot_export(client, merchant):
    client.force_login(merchant)
    response = client.get(reverse("admin:reports_deliveryreport_export"))
    assert response.status_code == 302  # to the admin login: merchants are not staff
