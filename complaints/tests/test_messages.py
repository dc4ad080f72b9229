"""Refusals read Chinese for ops (admin messages) and merchants (API ``detail``): the codes stay
machine codes, the human text is translated like every other app's."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from complaints.tests.factories import AppealFactory, JudgedComplaintFactory
from shops.tests.factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(shop):
    return JudgedComplaintFactory(order=OrderFactory(product=ProductFactory(shop=shop)))


def test_admin_refusals_are_chinese(client, ops_user, complaint):
    client.force_login(ops_user)
    judged = client.post(
        reverse("admin:complaints_complaint_changelist"),
        {"action": "judge_action", ACTION_CHECKBOX_NAME: [complaint.pk], "apply": "1", "verdict": "exempt", "reason": "x"},
        follow=True,
    ).content.decode()
    assert f"投诉 #{complaint.pk} 已判定" in judged and "cannot move" not in judged
    appeal = AppealFactory(complaint=complaint, status="rejected", reason="不符")
    decided = client.post(
        reverse("admin:complaints_appeal_changelist"),
        {"action": "accept_action", ACTION_CHECKBOX_NAME: [appeal.pk], "apply": "1", "reason": ""},
        follow=True,
    ).content.decode()
    assert f"申诉 #{appeal.pk} 已处理" in decided and "cannot move" not in decided


def test_api_refusals_are_chinese(ops_api, merchant_api, complaint, other_shop):
    again = ops_api.post(f"/api/v1/ops/complaints/{complaint.pk}/judge/", {"verdict": "exempt", "reason": "x"}, format="json")
    assert again.status_code == 409 and again.json() == {
        "code": "complaint_already_judged",
        "detail": f"投诉 #{complaint.pk} 已判定，不能再次判定。",
    }
    blank = ops_api.post(f"/api/v1/ops/appeals/{AppealFactory(complaint=complaint).pk}/reject/", {}, format="json")
    assert blank.status_code == 400 and blank.json() == {"code": "reason_required", "detail": "请填写原因。"}
    missing = merchant_api.get("/api/v1/complaints/999999/")
    assert missing.status_code == 404 and missing.json() == {"code": "complaint_not_found", "detail": "投诉 999999 不存在。"}


def test_shop_kind_filters_show_chinese_kinds(client, ops_user, complaint):
    client.force_login(ops_user)
    for name in ("complaint", "appeal", "complainttorereview"):
        response = client.get(reverse(f"admin:complaints_{name}_changelist"))
        kinds = [spec for spec in response.context["cl"].filter_specs if getattr(spec, "field_path", "").endswith("shop__kind")]
        titles = [str(choice["display"]) for choice in kinds[0].choices(response.context["cl"])]
        assert "天猫" in titles and "tmall" not in titles, name


def test_admin_timeline_names_statuses(client, ops_user, shop):
    from complaints.services import complaint_file, complaints_judge_pending
    from shops.tests.factories import sh

    order = OrderFactory(product=ProductFactory(shop=shop))
    complaint, _ = complaint_file(
        actor=None, event_id="t1", order=order, reason="delayed_shipment", source="buyer", filed_at=sh(2022, 12, 30, 12)
    )
    complaints_judge_pending()
    client.force_login(ops_user)
    body = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert "待审核 → 已判定" in body and "pending_review" not in body


def test_rereview_outside_the_list_is_refused(ops_user, complaint):
    from complaints.services import complaint_rereview
    from core.errors import Conflict

    with pytest.raises(Conflict) as refused:
        complaint_rereview(actor=ops_user, complaint=complaint, verdict="merchant_liable", reason="复核")
    assert refused.value.code == "complaint_not_in_rereview"
    assert refused.value.detail == f"投诉 #{complaint.pk} 不在待复核状态。"
