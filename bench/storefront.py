"""Selection-centre library search over 100,000 items (5,000 with --smoke).

Loads the content library in bulk, then times ``storefront.selectors.library_search`` the way the
API answers a page (count + first page of 20, with the caller's ``listed`` flag) for a few
representative queries, beside a plain indexed look-up of one item by (platform, item_id) in the
same run. Asserts the search takes a fixed number of queries. Cleans up after itself."""

import random
import statistics
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storefront.models import LibraryItem, Storefront
from storefront.selectors import library_search
from storefront.services.library import library_search_text

PREFIX = "bench-"
BRANDS = ["象印", "小米", "Apple/苹果", "ＳＯＮＹ 索尼", "九阳", "美的", "NIKE 耐克", "SK-II", "小熊", "华为", "膳魔师", "飞利浦"]
THINGS = [
    "保温杯",
    "手机壳",
    "降噪耳机",
    "豆浆机",
    "电饭煲",
    "跑步鞋",
    "精华液",
    "料理锅",
    "充电宝",
    "保温饭盒",
    "电动牙刷",
    "茶具套装",
    "普洱茶饼",
    "龙井茶",
    "面膜",
    "羽绒服",
    "双肩包",
    "机械键盘",
    "显示器",
    "空气炸锅",
]
WORDS = ["官方正品", "2024新款", "旗舰店", "限时特惠", "礼盒装", "大容量", "便携", "家用", "学生", "进口", "加厚", "迷你"]
PLATFORMS = ["taobao", "tmall", "jd", "youzan"]
QUERIES = ["保温杯", "iphone 手机壳", "ＳＯＮＹ 降噪", "2024新款 旗舰店 龙井茶", "罕见的词"]
REPEATS = 15


def _load(n: int, rng: random.Random) -> None:
    now = timezone.now()
    rows = []
    for i in range(n):
        title = f"{rng.choice(BRANDS)} {rng.choice(WORDS)} {rng.choice(THINGS)} {rng.choice(WORDS)} 第{i}款"
        if i % 997 == 0:
            title = title.replace("手机壳", "iPhone 15 手机壳")
        item_id = f"{PREFIX}{i:07d}"
        rows.append(
            LibraryItem(
                platform=PLATFORMS[i % len(PLATFORMS)],
                item_id=item_id,
                title=title,
                price=Decimal(rng.randrange(990, 99900)) / 100,
                sales_7d=rng.randrange(0, 20000),
                clicks=rng.randrange(0, 500000),
                stats_at=now,
                recommended=rng.random() < 0.01,
                search_text=library_search_text(title=title, item_id=item_id),
            )
        )
        if len(rows) == 5000:
            LibraryItem.objects.bulk_create(rows)
            rows = []
    LibraryItem.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE storefront_libraryitem")  # steady state: GIN pending list merged


def _median_ms(fn) -> float:
    fn()  # warm up
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _cleanup(user) -> None:
    LibraryItem.objects.filter(item_id__startswith=PREFIX).delete()
    Storefront.objects.filter(owner=user).delete()
    user.delete()


def add_arguments(parser) -> None:
    parser.add_argument("--items", type=int, help="storefront: content-library items (default 100,000)")


def main(smoke: bool, items: int | None = None) -> None:
    n = items or (5_000 if smoke else 100_000)
    rng = random.Random(7)
    user, _ = get_user_model().objects.get_or_create(username="bench-storefront-creator")
    _cleanup(user)
    user, _ = get_user_model().objects.get_or_create(username="bench-storefront-creator")
    Storefront.objects.create(owner=user, name="bench")
    try:
        started = time.perf_counter()
        _load(n, rng)
        print(f"   loaded {n:,} library items in {time.perf_counter() - started:.1f}s ({connection.vendor})")

        def search(query):
            qs = library_search(query=query, user=user)
            return qs.count(), list(qs[:20])

        picks = [rng.randrange(n) for _ in range(REPEATS + 1)]
        lookups = iter([(PLATFORMS[i % len(PLATFORMS)], f"{PREFIX}{i:07d}") for i in picks] * 2)

        def look_up():
            platform, item_id = next(lookups)
            return LibraryItem.objects.filter(platform=platform, item_id=item_id).first()

        baseline = _median_ms(look_up)
        print(f"   baseline: indexed look-up by item id          median {baseline:8.2f} ms")
        for query in QUERIES:
            with CaptureQueriesContext(connection) as ctx:
                count, _page = search(query)
            assert len(ctx) == 2, f"library search took {len(ctx)} queries"
            took = _median_ms(lambda q=query: search(q))
            print(f"   search {query!r:<28} {count:>7,} hits, 2 queries, median {took:8.2f} ms  ratio {took / baseline:7.1f}×")
    finally:
        _cleanup(user)
