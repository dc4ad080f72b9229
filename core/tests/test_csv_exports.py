"""Merchant CSV exports (SPEC §11): ``?format=csv`` on the tickets, complaints and reports lists —
same filters, every page, streamed, ``text/csv``, UTF-8 with BOM, Chinese headers, tenant-scoped."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from complaints.tests.factories import ComplaintFactory, JudgedComplaintFactory
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import OrderFactory, ProductFactory
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db


def export(client, url: str, **params):
    response = client.get(url, {"format": "csv", **params})
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    raw = b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert raw.startswith("\ufeff".encode())  # the BOM spreadsheet programs look for
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def column(header, rows, name):
    return [row[header.index(name)] for row in rows]


def test_tickets_export_every_page_with_the_filters_and_chinese_headers(merchant_api, shop, other_shop):
    # given 30 open tasks (more than a page), a replied one, and another shop's
    for _ in range(30):
        UrgeTaskFactory(order__product__shop=shop)
    UrgeTaskFactory(order__product__shop=shop, status="replied", replied_at=timezone.now())
    theirs = UrgeTaskFactory(order__product__shop=other_shop)
    # when the merchant exports the open ones
    header, rows = export(merchant_api, "/api/v1/tickets/", status="open")
    # then every open task of theirs is there, none of another shop's, with Chinese headers
    assert header[:4] == ["任务", "订单号", "店铺", "状态"]
    assert len(rows) == 30 and set(column(header, rows, "状态")) == {"待回复"}
    assert theirs.order.order_no not in column(header, rows, "订单号")
    # and without the filter, all 31
    assert len(export(merchant_api, "/api/v1/tickets/")[1]) == 31


def test_complaints_export_filters_and_formats(merchant_api, shop, other_shop):
    judged = JudgedComplaintFactory(order__product__shop=shop, order__order_no="O-JUDGED")
    ComplaintFactory(order__product__shop=shop, order__order_no="O-PENDING")
    ComplaintFactory(order__product__shop=other_shop, order__order_no="O-THEIRS")
    header, rows = export(merchant_api, "/api/v1/complaints/")
    assert sorted(column(header, rows, "订单号")) == ["O-JUDGED", "O-PENDING"]
    header, rows = export(merchant_api, "/api/v1/complaints/", verdict="merchant_liable")
    assert column(header, rows, "订单号") == ["O-JUDGED"]
    row = dict(zip(header, rows[0], strict=True))
    assert row["判定结果"] == "商家责任" and row["赔付金额"] == str(judged.penalty)
    assert row["投诉时间"] == timezone.localtime(judged.filed_at).strftime("%Y-%m-%d %H:%M:%S")


def test_reports_export_with_the_order_number_filter(merchant_api, shop, other_shop):
    product = ProductFactory(shop=shop, title="明前龙井")
    order = OrderFactory(product=product, order_no="O-LOOKUP")
    match = DeliveryReportFactory(shop=shop, scope="product", products=[product])
    DeliveryReportFactory(shop=shop, scope="region", regions=["440000"])
    DeliveryReportFactory(shop=other_shop)
    header, rows = export(merchant_api, "/api/v1/reports/")
    assert len(rows) == 2
    header, rows = export(merchant_api, "/api/v1/reports/", order_no=order.order_no)
    assert column(header, rows, "报备编号") == [match.report_no]
    row = dict(zip(header, rows[0], strict=True))
    assert row["报备场景"] == "疫情" and "明前龙井" in row["商品 / 地区"] and row["版本"] == "1"


def test_the_export_is_chinese_whatever_the_callers_language(merchant_api, shop):
    UrgeTaskFactory(order__product__shop=shop)
    response = merchant_api.get("/api/v1/tickets/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.startswith("任务,订单号")


def test_a_bad_filter_is_still_a_400_with_a_code(merchant_api):
    response = merchant_api.get("/api/v1/tickets/", {"format": "csv", "status": "nope"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_export_streams_in_a_bounded_number_of_queries(merchant_api, shop, django_assert_max_num_queries):
    product = ProductFactory(shop=shop)
    for _ in range(40):
        DeliveryReportFactory(shop=shop, scope="product", products=[product])
    merchant_api.get("/api/v1/reports/")  # warm the role cache
    with django_assert_max_num_queries(12):
        response = merchant_api.get("/api/v1/reports/", {"format": "csv"})
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 41


def test_anonymous_callers_get_nothing(api):
    assert api.get("/api/v1/reports/", {"format": "csv"}).status_code == 401


@pytest.mark.parametrize(
    ("page", "query", "expected"),
    [
        ("/tickets/", "?status=open&order_no=O1&page=2", "/api/v1/tickets/?format=csv&amp;status=open&amp;order_no=O1"),
        ("/complaints/", "?verdict=exempt", "/api/v1/complaints/?format=csv&amp;verdict=exempt"),
        ("/reports/", "?status=approved", "/api/v1/reports/?format=csv&amp;status=approved"),
    ],
)
def test_portal_lists_offer_the_export_of_what_they_list(client, merchant, page, query, expected):
    client.force_login(merchant)
    body = client.get(page + query).content.decode()
    assert f'href="{expected}"' in body and "导出 CSV" in body
