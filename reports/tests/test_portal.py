"""Merchant portal pages: list with the order-number search, 我要报备, detail, withdraw, coverage."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant_client(client, merchant):
    client.force_login(merchant)
    return client


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_list_requires_login(client):
    assert client.get(reverse("reports:portal-list")).status_code == 302


def test_list_shows_my_reports_with_status_and_expired_badges(merchant_client, shop, other_shop):
    live = DeliveryReportFactory(shop=shop, ends_at=timezone.now() + timedelta(days=1))
    old = DeliveryReportFactory(shop=shop)
    theirs = DeliveryReportFactory(shop=other_shop)
    body = merchant_client.get(reverse("reports:portal-list")).content.decode()
    assert live.report_no in body and old.report_no in body and theirs.report_no not in body
    assert "已通过" in body and "已过期" in body and "我要报备" in body


def test_search_by_order_number_finds_the_report_number(merchant_client, shop):
    product = ProductFactory(shop=shop)
    order = OrderFactory(product=product, order_no="O-PORTAL", receiver_region_id="330102")
    match = DeliveryReportFactory(shop=shop, scope="product", products=[product])
    other = DeliveryReportFactory(shop=shop, scope="region", regions=["440000"])
    response = merchant_client.get(reverse("reports:portal-list"), {"order_no": order.order_no})
    body = response.content.decode()
    assert match.report_no in body and other.report_no not in body
    assert [r.pk for r in response.context["page"].object_list] == [match.pk]


def test_another_merchants_order_finds_nothing(client, other_merchant, shop):
    OrderFactory(product=ProductFactory(shop=shop), order_no="O-MINE")
    DeliveryReportFactory(shop=shop)
    client.force_login(other_merchant)
    response = client.get(reverse("reports:portal-list"), {"order_no": "O-MINE"})
    assert list(response.context["page"].object_list) == []


def test_create_form_shows_letter_products_and_chinese_regions(merchant_client, shop):
    ProductFactory(shop=shop, code="TEA-1", title="明前龙井")
    body = merchant_client.get(reverse("reports:portal-create")).content.decode()
    assert "本店铺郑重承诺" in body and "明前龙井" in body and "浙江省" in body and "杭州市" in body
    assert "我要报备" in body or "提交报备" in body


def test_create_files_a_region_report_and_shows_it(merchant_client, shop, merchant):
    now = timezone.now()
    response = merchant_client.post(
        reverse("reports:portal-create"),
        {
            "shop": shop.code,
            "scenario": "epidemic",
            "scope": "region",
            "regions": ["330100"],
            "district_codes": "420102，110105",
            "starts_at": local(now),
            "ends_at": local(now + timedelta(days=3)),
            "commitment_accepted": "on",
            "commitment_letter_version": "2022.12",
        },
    )
    report = DeliveryReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:portal-detail", args=[report.report_no])
    assert report.status == "approved" and report.submitted_by == merchant
    assert sorted(report.region_links.values_list("region_id", flat=True)) == ["110105", "330100", "420102"]
    detail = merchant_client.get(response["Location"]).content.decode()
    assert "杭州市" in detail and "提交" in detail and "撤回" in detail


def test_create_without_the_commitment_shows_the_refusal(merchant_client, shop):
    now = timezone.now()
    response = merchant_client.post(
        reverse("reports:portal-create"),
        {
            "shop": shop.code,
            "scenario": "epidemic",
            "scope": "shop",
            "starts_at": local(now),
            "ends_at": local(now + timedelta(days=3)),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["commitment_accepted"]
    assert "承诺书" in response.content.decode()
    assert not DeliveryReport.objects.exists()


def test_create_for_another_shop_is_refused(merchant_client, other_shop):
    now = timezone.now()
    response = merchant_client.post(
        reverse("reports:portal-create"),
        {
            "shop": other_shop.code,
            "scenario": "epidemic",
            "scope": "shop",
            "starts_at": local(now),
            "ends_at": local(now + timedelta(days=3)),
            "commitment_accepted": "on",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["shop"]
    assert not DeliveryReport.objects.exists()


def test_detail_history_and_withdraw(merchant_client, shop, merchant):
    from reports import services

    report = services.report_submit(
        actor=merchant,
        draft=services.ReportDraft(
            shop=shop,
            scenario="major_event",
            scope="shop",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(days=2),
            commitment_accepted=True,
        ),
    ).report
    url = reverse("reports:portal-detail", args=[report.report_no])
    assert "待审核" in merchant_client.get(url).content.decode()
    response = merchant_client.post(reverse("reports:portal-withdraw", args=[report.report_no]), {"reason": "已恢复"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "withdrawn" and report.withdrawn_at
    body = merchant_client.get(url).content.decode()
    assert "已撤回" in body and "已恢复" in body
    again = merchant_client.post(reverse("reports:portal-withdraw", args=[report.report_no]), follow=True)
    assert again.status_code == 200


def test_another_merchants_report_pages_are_404(client, other_merchant, shop):
    report = DeliveryReportFactory(shop=shop, status="pending_review")
    client.force_login(other_merchant)
    assert client.get(reverse("reports:portal-detail", args=[report.report_no])).status_code == 404
    assert client.post(reverse("reports:portal-withdraw", args=[report.report_no])).status_code == 404
    report.refresh_from_db()
    assert report.status == "pending_review"


def test_coverage_page_explains(merchant_client, shop):
    order = OrderFactory(product=ProductFactory(shop=shop), order_no="O-WHY")
    report = DeliveryReportFactory(shop=shop)
    body = merchant_client.get(
        reverse("reports:portal-coverage"), {"order_no": order.order_no, "at": "2022-12-29T09:00"}
    ).content.decode()
    assert report.report_no in body and "已覆盖" in body
    missing = merchant_client.get(reverse("reports:portal-coverage"), {"order_no": "NOPE"}).content.decode()
    assert "未找到" in missing


def test_ops_reviewers_cannot_file_or_withdraw_for_a_merchant_in_the_portal(client, ops_user, shop):
    """As on the API (create and withdraw are merchants' only), an ops reviewer cannot act as
    a merchant through the portal forms, nor read a shop it is not a member of (SPEC §9: ops
    read every shop in the admin)."""
    client.force_login(ops_user)
    report = DeliveryReportFactory(shop=shop)
    now = timezone.now()
    assert client.get(reverse("reports:portal-detail", args=[report.report_no])).status_code == 404
    assert client.get(reverse("reports:portal-create")).status_code == 403
    filed = client.post(
        reverse("reports:portal-create"),
        {
            "shop": shop.code,
            "scenario": "epidemic",
            "scope": "shop",
            "starts_at": local(now),
            "ends_at": local(now + timedelta(days=3)),
            "commitment_accepted": "on",
        },
    )
    assert filed.status_code == 403 and DeliveryReport.objects.count() == 1
    withdrawn = client.post(reverse("reports:portal-withdraw", args=[report.report_no]))
    report.refresh_from_db()
    assert withdrawn.status_code == 403 and report.status == "approved"


def _form(shop, **overrides):
    now = timezone.now()
    data = {
        "shop": shop.code,
        "scenario": "epidemic",
        "scope": "shop",
        "starts_at": local(now),
        "ends_at": local(now + timedelta(days=3)),
        "commitment_accepted": "on",
        "commitment_letter_version": "2022.12",
    }
    return data | overrides


def test_preview_step_shows_what_the_draft_covers_and_files_nothing(merchant_client, shop):
    # given an order awaiting shipment
    OrderFactory(product=ProductFactory(shop=shop), order_no="O-AWAITING", paid_at=timezone.now() - timedelta(hours=1))
    # when the merchant presses 预览覆盖范围
    response = merchant_client.post(reverse("reports:portal-create"), _form(shop, preview="1"))
    # then the form comes back with the preview, filled in, and nothing is filed
    body = response.content.decode()
    assert response.status_code == 200 and "覆盖范围预览" in body and "O-AWAITING" in body and "待发货订单" in body
    assert response.context["preview"].awaiting_shipment.count == 1
    assert not DeliveryReport.objects.exists()


def test_preview_shows_the_same_refusals_as_submit(merchant_client, shop):
    response = merchant_client.post(reverse("reports:portal-create"), _form(shop, preview="1", scope="product"))
    assert response.status_code == 200 and response.context["form"].errors["products"]
    assert "preview" not in response.context or response.context["preview"] is None
