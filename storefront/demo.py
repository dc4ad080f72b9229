"""Demo storefront for merchant1: a content library with Chinese titles and share tokens, a bound
PID and Youzan shop, and a few listings (one removed). Written through the services, so the audit
trail looks real. Idempotent."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.errors import Conflict
from storefront import services
from storefront.models import LibraryItem, Listing, Storefront

ORDER = 60

LIBRARY = [
    # platform, item id, title, price, recommended, share token
    ("taobao", "605123456789", "【官方正品】象印保温杯 不锈钢真空 480ml", "199.00", True, "AbC123xyz"),
    ("taobao", "605123456790", "西湖龙井 2024新茶 明前特级 250g 礼盒装", "368.00", True, "Lj8XhQ2mP4a"),
    ("taobao", "605123456791", "手工编织草帽 夏季防晒 沙滩遮阳帽", "39.90", False, "Cm3Yw9Kd2Rt"),
    ("taobao", "605123456792", "成都冷吃兔 麻辣味 200g×2袋", "45.80", False, "Tu7Ba5Nq1Ze"),
    ("tmall", "612345678901", "Apple/苹果 iPhone 15 手机壳 硅胶保护套", "89.00", True, "3vB2dDpCBdS"),
    ("tmall", "612345678902", "SK-II 神仙水 230ml 护肤精华露", "1370.00", True, "Sk2Fa8Lw3Qx"),
    ("tmall", "612345678903", "小熊电器 多功能料理锅 1.5L 宿舍小电锅", "129.00", False, "Xb6Gk1Vm9Pw"),
    ("tmall", "612345678904", "ＮＩＫＥ 耐克 Air Zoom Pegasus 41 跑步鞋", "899.00", False, None),
    ("jd", "100012043978", "小米 Redmi K70 12GB+256GB 晴雪", "2299.00", True, None),
    ("jd", "100012043979", "索尼 WH-1000XM5 头戴式降噪耳机", "2499.00", False, None),
    ("jd", "100012043980", "九阳 豆浆机 破壁免滤 1.2L", "399.00", False, None),
    ("youzan", "2xabcdef12", "有赞优选 云南古树普洱茶饼 357g", "258.00", True, None),
    ("youzan", "2xabcdef13", "手作陶瓷茶具套装 一壶四杯", "168.00", False, None),
    ("jumei", "jm88001234", "聚美 玻尿酸补水面膜 10片装", "59.00", False, None),
    ("ymatou", "ym55667788", "洋码头 澳洲进口 A2 婴儿奶粉 900g", "239.00", False, None),
    ("ctrip", "ct20240901", "携程 杭州西湖游船 + 灵隐寺 一日游", "198.00", False, None),
]
LISTED = ["605123456789", "612345678901", "100012043978", "2xabcdef12", "605123456790"]
REMOVED = ["605123456790"]


def _library(platform_user) -> None:
    rng = random.Random(60)
    now = timezone.now()
    for platform, item_id, title, price, recommended, token in LIBRARY:
        result = services.library_item_ingest(
            actor=platform_user,
            platform=platform,
            item_id=item_id,
            title=title,
            price=Decimal(price),
            image_url="",
            sales_7d=rng.randrange(50, 5000),
            clicks=rng.randrange(1000, 90000),
            stats_at=now - timedelta(hours=rng.randrange(1, 48)),
            share_tokens=[{"code": token}] if token else [],
        )
        if recommended and not result.obj.recommended:
            services.library_item_set_recommended(actor=None, item=result.obj, recommended=True)


def seed(stdout) -> list[str]:
    User = get_user_model()
    creator = User.objects.filter(username="merchant1").first()
    platform_user = User.objects.filter(username="platform").first()
    if creator is None:
        return []
    if not LibraryItem.objects.filter(item_id=LIBRARY[0][1]).exists():
        _library(platform_user)
    storefront = services.storefront_create(actor=creator, name="阿花的好物小店").obj
    if Storefront.objects.filter(pk=storefront.pk, listings__isnull=False).exists():
        return _summary()
    services.pid_bind(actor=creator, storefront=storefront, pid="mm_12345678_2345678_34567890")
    services.shop_bind(
        actor=creator, storefront=storefront, platform="youzan", external_shop_id="40001", external_shop_name="阿花的有赞茶铺"
    )
    services.shop_bind(
        actor=creator, storefront=storefront, platform="jd", external_shop_id="10086", external_shop_name="阿花京东自营合作店"
    )
    for item_id in LISTED:
        item = LibraryItem.objects.get(item_id=item_id)
        try:
            services.listing_add_from_library(actor=creator, storefront=storefront, library_item=item)
        except Conflict:
            pass
    for listing in Listing.objects.filter(storefront=storefront, library_item__item_id__in=REMOVED, status="listed"):
        services.listing_remove(actor=creator, listing=listing)
    stdout.write(f"  storefront: {len(LIBRARY)} library items, {len(LISTED)} listings for merchant1")
    return _summary()


def _summary() -> list[str]:
    return [
        "  storefront: merchant1 owns 阿花的好物小店 (/storefront/); paste €Cm3Yw9Kd2Rt€ "
        "or https://item.jd.com/100012043979.html in 添加商品"
    ]
