"""The flows people run every day, in a real browser (SPEC §11, issue 13 item 8):

* a merchant signs in, previews a report's coverage, files it with the commitment letter, finds
  its number by order number, extends it (a new version), replies to an urge task and appeals a
  complaint — at desktop size, and the report part once more on a phone;
* an ops reviewer sees the dashboard's queues, approves a report, accepts an appeal and finds a
  spot-checked report false in the admin, and sees the dashboard change.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Appeal
from core.roles import OPS_REVIEWER, grant_role
from e2e.conftest import PHONE
from e2e.pages import portal_data
from reports.models import DeliveryReport
from reports.tests.factories import DeliveryReportFactory
from shops.tests.factories import UserFactory
from tickets.models import UrgeTask

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-demo-password"


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def sign_in(browser, user) -> None:
    """Through the real login form."""
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    browser.get("/accounts/login/")
    browser.fill("input[name=username]", user.get_username())
    browser.fill("input[name=password]", PASSWORD)
    browser.follow("form [type=submit]")
    browser.wait_for("header.topbar .who")


def file_report_with_preview(browser, order_no: str) -> str:
    """我要报备 → 预览覆盖范围 → 提交报备; answers the new report number."""
    now = timezone.now()
    browser.follow("a[href='/reports/new/'] button")
    browser.wait_for("form.report-form")
    browser.click("input[name=scenario][value=natural_disaster]")
    browser.click("input[name=scope][value=shop]")
    browser.set_value("input[name=starts_at]", local(now))
    browser.set_value("input[name=ends_at]", local(now + timedelta(days=3)))
    browser.fill("textarea[name=note]", "暴雪封路，快递停运")
    browser.click("input[name=commitment_accepted]")
    browser.shot("report-form")
    # preview first: counts and example order numbers, nothing filed yet
    browser.follow("button[name=preview]")
    preview = browser.wait_for("#coverage-preview")
    assert "待发货订单" in preview.text and order_no in preview.text
    assert not DeliveryReport.objects.filter(scenario="natural_disaster").exists()
    browser.shot("preview")
    # the form came back filled in; file it
    assert browser.find("input[name=commitment_accepted]").is_selected()
    browser.follow(".actions button:not([name])")
    browser.wait_text("main h1", "BB")
    browser.shot("filed")
    return browser.find("main h1 code").text


def test_merchant_files_finds_amends_replies_and_appeals(browser):
    data = portal_data()
    sign_in(browser, data.merchant)

    # files a report after previewing what it covers
    browser.get("/reports/")
    report_no = file_report_with_preview(browser, data.order.order_no)
    assert "已通过" in browser.text  # natural disasters are approved at once with the letter

    # finds its number by order number
    browser.get("/reports/")
    browser.fill("input[name=order_no]", data.order.order_no)
    browser.follow("form.card button[type=submit]")
    browser.wait_text("main", data.order.order_no)
    found = [cell.text for cell in browser.find_all("table.grid tbody td:first-child code")]
    assert report_no in found and data.report.report_no in found
    browser.shot("found")

    # extends it by two days: version 2
    browser.get(f"/reports/{report_no}/")
    report = DeliveryReport.objects.get(report_no=report_no)
    browser.set_value("#amend-form input[name=ends_at]", local(report.ends_at + timedelta(days=2)))
    browser.fill("#amend-form textarea[name=note]", "封路延长")
    browser.follow("#amend-form button[type=submit]")
    browser.wait_text("#report-version", "v2")
    assert "版本记录" in browser.text
    browser.shot("amended")

    # replies to the urge task
    browser.get("/tickets/")
    browser.follow(f"a[href='/tickets/{data.task.pk}/']")
    browser.wait_for("select[name=option]")
    browser.fill("textarea[name=message]", "已联系快递，尽快发出")
    browser.follow("form[action$='/reply/'] button[type=submit]")
    browser.wait_text("main", "已回复")
    assert UrgeTask.objects.get(pk=data.task.pk).status == "replied"
    browser.shot("replied")

    # appeals the complaint, citing the report that matches the order
    browser.get(f"/complaints/{data.complaint.pk}/")
    browser.follow(f"a[href='/complaints/{data.complaint.pk}/appeal/']")
    browser.click(f"input[name=pick][value='{data.report.report_no}']")
    browser.fill("textarea[name=statement]", "杭州封控期间已报备")
    browser.follow("form#appeal button[type=submit]")
    browser.wait_text("main", "待审核")
    assert Appeal.objects.filter(complaint=data.complaint, report_no=data.report.report_no).exists()
    browser.shot("appealed")

    # reads its inbox: the approvals of the report and of its version 2 are there, unread
    browser.follow(".mainnav a[href='/inbox/']")
    browser.wait_for("#inbox")
    inbox = browser.find("#inbox").text
    assert report_no in inbox and "第 2 版" in inbox
    unread = len(browser.find_all("#inbox tr.unread"))
    browser.follow("#inbox tr.unread button.mark-read")
    browser.wait_for("#inbox")
    assert len(browser.find_all("#inbox tr.unread")) == unread - 1
    browser.shot("inbox")


def test_merchant_files_a_report_on_a_phone(browser):
    data = portal_data()
    browser.login(data.merchant)
    browser.size(*PHONE)
    browser.get("/reports/")
    report_no = file_report_with_preview(browser, data.order.order_no)
    assert report_no.startswith("BB")
    overflow = browser.overflow()
    assert overflow["scroll"] <= overflow["viewport"], overflow


def _ops_reviewer():
    user = UserFactory(username="ops-reviewer", is_staff=True)
    grant_role(user, OPS_REVIEWER)
    return user


def _run_admin_action(browser, changelist: str, row_pk: int, action: str) -> None:
    browser.get(changelist)
    browser.click(f"input.action-select[value='{row_pk}']")
    from selenium.webdriver.support.ui import Select

    Select(browser.find("select[name=action]")).select_by_value(action)
    browser.follow("button[name=index]")


def _queue_size(browser, key: str) -> int:
    browser.get("/admin/")
    return int(browser.find(f"#queue-{key} .n").text)


def test_ops_reviewer_approves_a_report_accepts_an_appeal_and_decides_a_spot_check(browser):
    from workbench.models import SpotCheck
    from workbench.spotchecks import spot_checks_sample

    data = portal_data()
    now = timezone.now()
    # yesterday's auto-approved report, sampled for a spot check
    yesterday = timezone.localtime(now) - timedelta(days=1)
    sampled = DeliveryReportFactory(
        shop=data.shop, submitted_at=yesterday, starts_at=yesterday, ends_at=yesterday + timedelta(days=5), note="抽查样本"
    )
    spot_checks_sample(day=yesterday.date())
    check = SpotCheck.objects.get(report=sampled)
    pending = DeliveryReportFactory(
        shop=data.shop,
        scenario="major_event",
        status="pending_review",
        starts_at=now,
        submitted_at=now,
        ends_at=now + timedelta(days=2),
    )
    ops = _ops_reviewer()
    browser.login(ops)

    # the dashboard shows what waits
    queues = {key: _queue_size(browser, key) for key in ("reports", "appeals", "spot_checks")}
    assert queues == {"reports": 1, "appeals": 1, "spot_checks": 1}
    browser.shot("dashboard-before")

    # approves the pending report from the review queue
    _run_admin_action(browser, "/admin/reports/deliveryreport/?status__exact=pending_review", pending.pk, "approve_reports")
    browser.wait_for("form textarea[name=reason]")
    browser.fill("textarea[name=reason]", "材料齐全")
    browser.follow("form input[type=submit].default")
    browser.wait_for("ul.messagelist")
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.decided_by == ops
    browser.shot("report-approved")

    # accepts the merchant's appeal
    appeal = Appeal.objects.get(complaint=data.appealed)
    _run_admin_action(browser, "/admin/complaints/appeal/", appeal.pk, "accept_action")
    browser.wait_for("form input[type=submit].default")  # the one decide-each confirmation page
    browser.follow("form input[type=submit].default")
    browser.wait_for("ul.messagelist")
    appeal.refresh_from_db()
    assert appeal.status == "accepted"
    browser.shot("appeal-accepted")

    # finds the sampled report's commitment false: the report is revoked
    browser.get(f"/admin/workbench/spotcheck/{check.pk}/change/")
    browser.click("#spot-check-false")
    browser.fill("textarea[name=note]", "当地未发生疫情封控")
    browser.follow("#spot-check-apply")
    browser.wait_for("ul.messagelist")
    sampled.refresh_from_db()
    assert sampled.status == "revoked"

    # and the dashboard has moved: nothing waits in those three queues, one spot check found false
    assert {key: _queue_size(browser, key) for key in queues} == {"reports": 0, "appeals": 0, "spot_checks": 0}
    assert "1" in browser.find("#spot-check-counts").text.split("·")[-1]
    browser.shot("dashboard-after")
