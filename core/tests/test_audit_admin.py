"""The audit trail reads Chinese for ops: actions, audited models and statuses by name."""

import re

import pytest
from django.urls import reverse

from core.audit import audit_record
from core.audit_labels import ACTION_LABELS
from reports.tests.factories import DeliveryReportFactory

pytestmark = pytest.mark.django_db


def test_changelist_and_filters_show_chinese_names(client, ops_user, shop):
    report = DeliveryReportFactory(shop=shop)
    audit_record(
        actor=ops_user, target=report, action="report_revoked", from_status="approved", to_status="revoked", reason="承诺不实"
    )
    client.force_login(ops_user)
    html = client.get(reverse("admin:core_auditentry_changelist")).content.decode()
    text = re.sub(r"<[^>]*>", " ", html)  # what ops read (codes stay in the filter links)
    assert "报备已撤销" in text and "已通过 → 已撤销" in text and " 报备 " in text
    for raw in ("report_revoked", "reports.deliveryreport", "approved → revoked"):
        assert raw not in text
    filtered = client.get(
        reverse("admin:core_auditentry_changelist"), {"action": "report_revoked", "target_type": "reports.deliveryreport"}
    )
    assert [e.action for e in filtered.context["cl"].result_list] == ["report_revoked"]


def test_every_action_written_by_the_services_has_a_label():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    written = set()
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        for call in re.finditer(r"audit_record(?:_bulk)?\((.*?)\)\n", text, re.S):
            written.update(re.findall(r'action="([a-z_]+)"', call.group(1)))
            written.update(re.findall(r'action="[a-z_]+" if [^"]+ else "([a-z_]+)"', call.group(1)))
    assert written and written - set(ACTION_LABELS) == set()


def test_report_and_task_change_pages_name_actions_and_statuses(client, ops_user, shop):
    from reports.services import report_revoke
    from shops.tests.factories import OrderFactory, ProductFactory
    from tickets.tests.factories import UrgeTaskFactory

    report = report_revoke(actor=ops_user, report=DeliveryReportFactory(shop=shop), reason="承诺不实")
    task = UrgeTaskFactory(order=OrderFactory(product=ProductFactory(shop=shop)))
    audit_record(actor=None, target=task, action="ticket_overdue", from_status="open", to_status="overdue")
    client.force_login(ops_user)
    pages = {
        reverse("admin:reports_deliveryreport_change", args=[report.pk]): ("报备已撤销", "已通过 → 已撤销"),
        reverse("admin:tickets_urgetask_change", args=[task.pk]): ("催发货任务已超时", "待回复 → 已超时"),
    }
    for url, (action, change) in pages.items():
        text = re.sub(r"<[^>]*>", " ", client.get(url).content.decode())
        assert action in text and change in text, url
