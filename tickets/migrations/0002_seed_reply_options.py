"""Seed the seven reply options of SPEC §4. The three epidemic-area options are retired by the
policy ``tickets.epidemic_reply_options_retired`` (2022-12-27 00:00 Asia/Shanghai)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

SHANGHAI = ZoneInfo("Asia/Shanghai")
SINCE = datetime(2020, 1, 1, tzinfo=SHANGHAI)
EPIDEMIC_POLICY = "tickets.epidemic_reply_options_retired"

OPTIONS = [
    # code, name, needs_date, retired by the epidemic policy
    ("shipped", "已发货", False, False),
    ("ship_later", "后续可发", True, False),
    ("cannot_ship", "无法发货", False, False),
    ("negotiated_exchange", "协商一致换货", False, False),
    ("cannot_ship_epidemic_area", "无法发货-收/发货地址在疫情区域", False, True),
    ("ship_later_epidemic_area", "后续可发-收/发货地址在疫情区域", True, True),
    ("exchange_epidemic_area", "协商一致换货-收/发货地址在疫情区域", False, True),
]


def seed(apps, schema_editor):
    ReplyOption = apps.get_model("tickets", "ReplyOption")
    for position, (code, name, needs_date, epidemic) in enumerate(OPTIONS, start=1):
        ReplyOption.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "needs_date": needs_date, "effective_from": SINCE, "position": position * 10,
                "retire_with_policy": EPIDEMIC_POLICY if epidemic else "",
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("tickets", "ReplyOption").objects.filter(code__in=[o[0] for o in OPTIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("core", "0002_seed_policies"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
