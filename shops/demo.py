"""Demo shops, products and ~3,000 orders over the last 10 days across real regions."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.roles import MERCHANT, OPS_ADMIN, OPS_REVIEWER, PLATFORM, grant_role
from shops.models import Order, Product, Region, Shop

ORDER = 10
PASSWORD = "demo12345"

SHOPS = [
    ("hz-tea", "杭州西湖龙井茶庄", Shop.Kind.TAOBAO, "330106"),
    ("sz-digital", "深圳华强数码旗舰店", Shop.Kind.TMALL, "440304"),
    ("cd-snacks", "成都好吃嘴零食铺", Shop.Kind.TAOBAO, "510104"),
    ("sh-beauty", "上海美妆官方旗舰店", Shop.Kind.TMALL, "310101"),
]
PRODUCT_NAMES = {
    "hz-tea": ["明前龙井 250g", "雨前龙井礼盒", "安吉白茶", "九曲红梅", "径山茶", "龙井茶具套装", "桂花龙井", "龙井茶包"],
    "sz-digital": [
        "无线蓝牙耳机",
        "65W 氮化镓快充",
        "机械键盘",
        "4K 显示器",
        "移动电源 20000mAh",
        "智能手表",
        "USB-C 扩展坞",
        "降噪头戴耳机",
    ],
    "cd-snacks": ["麻辣牛肉干", "手撕兔丁", "火锅底料", "灯影牛肉", "张飞牛肉", "冷吃兔", "怪味胡豆", "钵钵鸡调料"],
    "sh-beauty": ["保湿精华液", "防晒霜 SPF50", "氨基酸洁面", "玻尿酸面膜", "口红礼盒", "眼霜", "卸妆油", "身体乳"],
}
USERS = [
    ("ops", OPS_REVIEWER, None),
    ("opsadmin", OPS_ADMIN, None),
    ("platform", PLATFORM, None),
    ("merchant1", MERCHANT, ["hz-tea", "cd-snacks"]),
    ("merchant2", MERCHANT, ["sz-digital", "sh-beauty"]),
]
ORDERS_PER_SHOP_PER_DAY = 75
DAYS = 10


def _users(shops: dict[str, Shop]) -> None:
    User = get_user_model()
    for username, role, shop_codes in USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        grant_role(user, role)
        for code in shop_codes or []:
            shops[code].memberships.get_or_create(user=user)


def _orders(shops: dict[str, Shop], rng: random.Random) -> int:
    districts = list(Region.objects.filter(level=Region.Level.DISTRICT).values_list("code", flat=True))
    now = timezone.now()
    start = (now - timedelta(days=DAYS)).replace(minute=0, second=0, microsecond=0)
    rows = []
    for shop_index, (code, _name, _kind, home) in enumerate(SHOPS):
        products = list(shops[code].products.all())
        for n in range(ORDERS_PER_SHOP_PER_DAY * DAYS):
            product = products[n % len(products)]
            paid_at = start + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
            deadline = paid_at + timedelta(hours=48)
            order = Order(
                order_no=f"DEMO{shop_index}{n:06d}",
                shop=shops[code],
                product=product,
                amount=(product.price * rng.choice([1, 1, 1, 2, 3])).quantize(Decimal("0.01")),
                paid_at=paid_at,
                ship_deadline=deadline,
                receiver_region_id=rng.choice(districts),
                sender_region_id=home,
            )
            roll = rng.random()
            # Most orders ship and are picked up in time; a few are late, cancelled or waiting.
            if roll < 0.03:
                order.cancelled_at = paid_at + timedelta(hours=rng.randrange(1, 12))
            elif roll < 0.92 or (code == "sz-digital" and roll < 0.995):
                order.shipped_at = paid_at + timedelta(hours=rng.uniform(1, 30))
                order.picked_up_at = order.shipped_at + timedelta(hours=rng.uniform(0.5, 12))
            elif roll < 0.97:
                order.shipped_at = paid_at + timedelta(hours=rng.uniform(40, 70))
                order.picked_up_at = order.shipped_at + timedelta(hours=rng.uniform(2, 20))
            for attr in ("shipped_at", "picked_up_at", "cancelled_at"):
                if getattr(order, attr) and getattr(order, attr) > now:
                    setattr(order, attr, None)
            if order.picked_up_at is None and order.shipped_at is None:
                order.picked_up_at = None
            rows.append(order)
    created = Order.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(created)


def seed(stdout) -> list[str]:
    rng = random.Random(20221221)
    shops = {}
    for code, name, kind, _home in SHOPS:
        shop, _ = Shop.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        shops[code] = shop
        for i, title in enumerate(PRODUCT_NAMES[code]):
            Product.objects.get_or_create(
                shop=shop,
                code=f"{code.upper()}-{i + 1:03d}",
                defaults={"title": title, "price": Decimal(rng.randrange(1990, 59900)) / 100},
            )
    _users(shops)
    if not Order.objects.filter(order_no__startswith="DEMO").exists():
        count = _orders(shops, rng)
        stdout.write(f"  shops: {len(shops)} shops, {count} orders over the last {DAYS} days")
    return [
        f"Demo logins (password {PASSWORD}):",
        "  ops reviewer: ops   · ops admin: opsadmin",
        "  merchant1: 杭州西湖龙井茶庄 + 成都好吃嘴零食铺 · merchant2: 深圳华强数码旗舰店 + 上海美妆官方旗舰店",
    ]
