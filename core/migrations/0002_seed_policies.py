"""Seed the six dated rules of the December 2022 announcement (SPEC §1)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

SHANGHAI = ZoneInfo("Asia/Shanghai")

POLICIES = [
    ("reports.auto_approve_with_commitment", (2022, 12, 21), "疫情/自然灾害报备勾选承诺书自动生效"),
    ("tickets.no_auto_complaint_taobao", (2022, 12, 18), "淘宝商家催发货任务平台暂不代买家发起投诉"),
    ("badges.fast_pickup_48h", (2022, 12, 24), "48h发货率高的商品前台打标及流量激励"),
    ("tickets.epidemic_reply_options_retired", (2022, 12, 27), "催发货任务下线疫情区域相关回复选项"),
    ("complaints.judge_by_reports", (2022, 12, 28), "投诉依据统一免责及商家报备判定，不再审核留言凭证"),
    ("appeals.require_prior_report", (2022, 12, 28), "申诉仅支持判责前报备通过的报备编号"),
]


def seed(apps, schema_editor):
    Policy = apps.get_model("core", "Policy")
    for key, (y, m, d), title in POLICIES:
        Policy.objects.update_or_create(
            key=key,
            defaults={"title": title, "effective_from": datetime(y, m, d, tzinfo=SHANGHAI), "enabled": True},
        )


def unseed(apps, schema_editor):
    apps.get_model("core", "Policy").objects.filter(key__in=[p[0] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
