"""Seed the first version of the commitment letter (承诺书)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

TEXT = """本店铺郑重承诺：
一、本次报备所述的疫情、自然灾害、大型活动或其他不可抗力情况真实存在，且确实导致本店铺无法在订单发货时效内发货；
二、报备的范围（全店、商品或收货地区）与时效如实填写，不扩大、不虚报；
三、在报备时效内，本店铺将按报备展示的承诺发货时间尽快发货，并与买家友好沟通；
四、如平台抽查发现报备内容不实，平台有权撤销本次报备，相关订单按平台规则处理，本店铺承担由此产生的全部责任。"""


def seed(apps, schema_editor):
    CommitmentLetter = apps.get_model("reports", "CommitmentLetter")
    CommitmentLetter.objects.get_or_create(
        version="2022.12",
        defaults={"text": TEXT, "published_at": datetime(2022, 12, 21, tzinfo=ZoneInfo("Asia/Shanghai"))},
    )


def unseed(apps, schema_editor):
    apps.get_model("reports", "CommitmentLetter").objects.filter(version="2022.12").delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
