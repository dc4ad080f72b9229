"""Every merchant-portal page with something real on it, for the page walk at each size."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from complaints.tests.factories import AppealFactory, JudgedComplaintFactory
from conftest import make_merchant
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory, ShopFactory
from storefront.tests.factories import StorefrontFactory
from tickets.tests.factories import UrgeTaskFactory


@dataclass
class PortalData:
    merchant: Any
    shop: Any
    order: Any
    report: Any
    task: Any
    complaint: Any
    appealed: Any


def portal_data() -> PortalData:
    """One merchant's shop with a product, orders, an approved region report, an open urge task,
    a complaint it may appeal and one with an appeal pending."""
    now = timezone.now()
    shop = ShopFactory(code="hz-tea", name="杭州西湖龙井茶庄")
    merchant = make_merchant(shop, "merchant1")
    product = ProductFactory(shop=shop, code="TEA-250", title="明前龙井 250g")
    order = OrderFactory(
        product=product, order_no="O2026000000001", paid_at=now - timedelta(hours=30), receiver_region_id="330102"
    )
    report = DeliveryReportFactory(
        shop=shop,
        scope="region",
        regions=["330100", "420102"],
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=6),
        submitted_at=now - timedelta(days=1),
        note="杭州疫情封控，快递停收",
    )
    task = UrgeTaskFactory(order=order, opened_at=now - timedelta(hours=2), reply_due_at=now + timedelta(hours=22))
    late = OrderFactory(product=product, order_no="O2026000000002", paid_at=now - timedelta(days=4))
    complaint = JudgedComplaintFactory(order=late, filed_at=now - timedelta(days=1), judged_at=now - timedelta(hours=2))
    appealed = AppealFactory(
        complaint__order=OrderFactory(product=product, order_no="O2026000000003", paid_at=now - timedelta(days=4)),
        complaint__filed_at=now - timedelta(days=1),
        created_by=merchant,
        statement="已报备，快递停收期间的订单",
    ).complaint
    StorefrontFactory(owner=merchant, name="龙井小店")
    return PortalData(merchant, shop, order, report, task, complaint, appealed)


def portal_pages(data: PortalData) -> list[tuple[str, str]]:
    """(label, path) of every page a merchant reaches from the portal navigation."""
    return [
        ("home", reverse("portal:home")),
        ("reports", reverse("reports:portal-list")),
        ("reports-search", reverse("reports:portal-list") + f"?order_no={data.order.order_no}"),
        ("report-new", reverse("reports:portal-create")),
        ("report-detail", reverse("reports:portal-detail", args=[data.report.report_no])),
        ("coverage", reverse("reports:portal-coverage") + f"?order_no={data.order.order_no}"),
        ("tickets", reverse("tickets:portal-list")),
        ("ticket-detail", reverse("tickets:portal-detail", args=[data.task.pk])),
        ("metrics", reverse("tickets:portal-metrics")),
        ("complaints", reverse("complaints:portal-list")),
        ("complaint-detail", reverse("complaints:portal-detail", args=[data.complaint.pk])),
        ("appeal-form", reverse("complaints:portal-appeal", args=[data.complaint.pk])),
        ("appeals", reverse("complaints:portal-appeals")),
        ("badges", reverse("badges:portal-products")),
        ("storefront", reverse("storefront:portal-home")),
        ("storefront-shops", reverse("storefront:portal-shops")),
        ("storefront-pid", reverse("storefront:portal-pid")),
        ("storefront-add", reverse("storefront:portal-add")),
        ("storefront-selection", reverse("storefront:portal-selection")),
        ("storefront-listings", reverse("storefront:portal-listings")),
    ]
