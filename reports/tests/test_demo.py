import io

import pytest

from reports import demo as reports_demo
from reports.models import DeliveryReport, UnifiedExemption
from shops import demo as shops_demo

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_covers_every_status():
    shops_demo.seed(io.StringIO())
    reports_demo.seed(io.StringIO())
    reports_demo.seed(io.StringIO())
    statuses = set(DeliveryReport.objects.values_list("status", flat=True))
    assert statuses == {"approved", "pending_review", "withdrawn", "rejected", "revoked"}
    assert DeliveryReport.objects.count() == 7 and UnifiedExemption.objects.count() == 1


def test_demo_has_an_amended_report_once():
    from reports.models import ReportAmendment

    shops_demo.seed(io.StringIO())
    reports_demo.seed(io.StringIO())
    reports_demo.seed(io.StringIO())
    amendment = ReportAmendment.objects.get()
    assert amendment.version == 2 and amendment.status == "approved"
    assert "500000" in {link.region_id for link in amendment.region_links.all()}
