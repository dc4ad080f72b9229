"""The content library: platform ingestion (idempotent upsert), share tokens, and the
selection centre (search / recommended / hot) with a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.bounds import BoundsError
from core.models import AuditEntry
from storefront.models import LibraryItem, ShareToken
from storefront.services import library_item_ingest, library_item_set_recommended
from storefront.tests.conftest import assert_error
from storefront.tests.factories import LibraryItemFactory, ListingFactory

pytestmark = pytest.mark.django_db

INGEST = "/api/v1/platform/library-items/"
TOKENS = "/api/v1/platform/share-tokens/"
SEARCH = "/api/v1/storefront/library/"
RECOMMENDED = "/api/v1/storefront/library/recommended/"
HOT = "/api/v1/storefront/library/hot/"


def item_body(**overrides) -> dict:
    body = {
        "platform": "taobao",
        "item_id": "605123456789",
        "title": "【官方正品】象印保温杯 480ml",
        "price": "199.00",
        "image_url": "https://img.alicdn.com/imgextra/i1/0/O1CN01.jpg",
        "sales_7d": 120,
        "clicks": 3400,
        "stats_at": "2026-11-20T10:00:00+08:00",
    }
    return body | overrides


class TestIngestion:
    def test_create_then_identical_repeat(self, platform_api):
        created = platform_api.post(INGEST, item_body(share_tokens=[{"code": "AbC123xyz"}]), format="json")
        assert created.status_code == 201, created.content
        assert created.json()["version"] == 1
        repeat = platform_api.post(INGEST, item_body(share_tokens=[{"code": "AbC123xyz"}]), format="json")
        assert repeat.status_code == 200
        assert repeat.json()["version"] == 1
        assert LibraryItem.objects.count() == 1 and ShareToken.objects.count() == 1
        assert AuditEntry.objects.filter(target_type="storefront.libraryitem").count() == 1

    def test_different_content_updates_and_bumps_the_version(self, platform_api):
        platform_api.post(INGEST, item_body(), format="json")
        updated = platform_api.post(
            INGEST, item_body(price="179.00", sales_7d=150, stats_at="2026-11-21T10:00:00+08:00"), format="json"
        )
        assert updated.status_code == 200
        assert updated.json()["version"] == 2 and updated.json()["price"] == "179.00"
        audit = AuditEntry.objects.get(action="library_item_updated")
        assert audit.data["changes"]["price"] == ["199.00", "179.00"]
        assert audit.data["changes"]["sales_7d"] == [120, 150]

    def test_title_change_updates_the_search_text(self, platform_api):
        platform_api.post(INGEST, item_body(), format="json")
        platform_api.post(INGEST, item_body(title="虎牌保温杯", stats_at="2026-11-21T10:00:00+08:00"), format="json")
        assert "虎牌" in LibraryItem.objects.get().search_text

    def test_older_figures_are_stale(self, platform_api):
        platform_api.post(INGEST, item_body(), format="json")
        stale = platform_api.post(INGEST, item_body(sales_7d=1, stats_at="2026-11-19T10:00:00+08:00"), format="json")
        assert_error(stale, 409, "library_item_stale")
        assert LibraryItem.objects.get().sales_7d == 120

    def test_a_token_of_another_item_is_409_and_nothing_changes(self, platform_api):
        platform_api.post(INGEST, item_body(share_tokens=[{"code": "AbC123xyz"}]), format="json")
        other = item_body(item_id="605000000001", share_tokens=[{"code": "AbC123xyz"}])
        assert_error(platform_api.post(INGEST, other, format="json"), 409, "share_token_conflict")
        assert not LibraryItem.objects.filter(item_id="605000000001").exists()

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("platform", "pinduoduo", "invalid"),
            ("item_id", "有 空格", "invalid"),
            ("price", "-1", "invalid"),
            ("image_url", "not a url", "invalid"),
            ("sales_7d", -1, "invalid"),
            ("title", "", "invalid"),
            ("share_tokens", [{"code": "short"}], "token_invalid"),
            ("share_tokens", [{"code": "AbC123xyz"}] * 1001, "too_many_items"),  # core.bounds, not DRF's
            ("stats_at", "2030-02-30T10:00:00+08:00", "datetime_invalid"),  # an impossible date
        ],
    )
    def test_bad_input_is_400_and_changes_nothing(self, platform_api, field, value, code):
        assert_error(platform_api.post(INGEST, item_body(**{field: value}), format="json"), 400, code)
        assert not LibraryItem.objects.exists()

    def test_the_service_bounds_the_share_tokens_too(self, platform_user):
        body = item_body(price=Decimal("199.00"), stats_at=None, share_tokens=[{"code": "AbC123xyz"}] * 1001)
        with pytest.raises(BoundsError) as refused:
            library_item_ingest(actor=platform_user, **body)
        assert refused.value.code == "too_many_items"
        assert not LibraryItem.objects.exists()

    def test_only_the_platform_may_push(self, creator_api, ops_api):
        assert_error(creator_api.post(INGEST, item_body(), format="json"), 403, "permission_denied")
        assert ops_api.post(INGEST, item_body(), format="json").status_code == 403
        assert not LibraryItem.objects.exists()

    def test_recommended_is_not_the_platforms_to_set(self, platform_api):
        platform_api.post(INGEST, item_body(recommended=True), format="json")
        assert LibraryItem.objects.get().recommended is False


class TestShareTokenIngestion:
    def test_create_repeat_expiry_change_and_conflict(self, platform_api):
        LibraryItemFactory(platform="tmall", item_id="612345678901")
        LibraryItemFactory(platform="jd", item_id="100012043978")
        body = {"code": "3vB2dDpCBdS", "platform": "tmall", "item_id": "612345678901"}
        assert platform_api.post(TOKENS, body, format="json").status_code == 201
        assert platform_api.post(TOKENS, body, format="json").status_code == 200
        moved = platform_api.post(TOKENS, body | {"expires_at": "2026-12-31T00:00:00+08:00"}, format="json")
        assert moved.status_code == 200 and moved.json()["expires_at"] == "2026-12-31T00:00:00+08:00"
        assert_error(
            platform_api.post(TOKENS, body | {"platform": "jd", "item_id": "100012043978"}, format="json"),
            409,
            "share_token_conflict",
        )

    def test_item_must_be_in_the_library(self, platform_api):
        body = {"code": "3vB2dDpCBdS", "platform": "tmall", "item_id": "612345678901"}
        assert_error(platform_api.post(TOKENS, body, format="json"), 400, "library_item_not_found")


class TestSearch:
    @pytest.fixture
    def items(self):
        return {
            "cup": LibraryItemFactory(title="【官方正品】象印保温杯 480ml", sales_7d=50),
            "case": LibraryItemFactory(platform="tmall", title="Apple/苹果 iPhone 15 手机壳", sales_7d=80),
            "wide": LibraryItemFactory(platform="jd", title="ＳＯＮＹ 索尼 降噪耳机 ＷＨ－１０００ＸＭ５", sales_7d=30),
            "tea": LibraryItemFactory(platform="youzan", title="云南古树普洱茶饼 357g", sales_7d=5),
        }

    def found(self, api, q):
        return [r["title"] for r in api.get(SEARCH, {"q": q}).json()["results"]]

    @pytest.mark.parametrize(
        ("q", "key"),
        [
            ("保温杯", "cup"),
            ("IPHONE", "case"),
            ("ｉｐｈｏｎｅ", "case"),
            ("sony", "wide"),
            ("wh-1000xm5", "wide"),
            ("苹果 手机壳", "case"),
            ("  普洱  ", "tea"),
            ("357G", "tea"),
        ],
    )
    def test_case_and_width_insensitive(self, creator_api, items, q, key):
        assert self.found(creator_api, q) == [items[key].title]

    def test_every_word_must_match(self, creator_api, items):
        assert self.found(creator_api, "苹果 保温杯") == []

    def test_by_item_id(self, creator_api, items):
        assert self.found(creator_api, items["tea"].item_id) == [items["tea"].title]

    def test_empty_query_lists_all_best_sellers_first(self, creator_api, items):
        assert self.found(creator_api, "") == [items[k].title for k in ("case", "cup", "wide", "tea")]

    def test_listed_flag_is_the_callers(self, creator_api, other_creator_api, storefront, other_storefront, items):
        ListingFactory(storefront=storefront, library_item=items["cup"])
        mine = {r["id"]: r["listed"] for r in creator_api.get(SEARCH).json()["results"]}
        theirs = {r["id"]: r["listed"] for r in other_creator_api.get(SEARCH).json()["results"]}
        assert mine[items["cup"].pk] is True and theirs[items["cup"].pk] is False

    @pytest.mark.parametrize("endpoint", [SEARCH, RECOMMENDED, HOT])
    def test_fixed_number_of_queries(self, creator_api, storefront, django_assert_num_queries, endpoint):
        for n in range(60):
            LibraryItemFactory(title=f"保温杯 第{n}款", recommended=True, sales_7d=n + 1)
        creator_api.get(SEARCH)  # warm up the user's role cache
        counts = []
        for size in (1, 50):
            with CaptureQueriesContext(connection) as ctx:
                response = creator_api.get(endpoint, {"q": "保温杯", "page_size": size})
            assert len(response.json()["results"]) == size
            counts.append(len(ctx))
        assert counts[0] == counts[1]
        with django_assert_num_queries(counts[0]):
            creator_api.get(endpoint, {"q": "保温杯", "page_size": 100})
        assert counts[0] <= 3  # count + page (+ nothing per row)


class TestRecommendedAndHot:
    def test_recommended_is_set_by_ops_and_audited(self, creator_api, ops_user):
        item = LibraryItemFactory(title="推荐好物")
        LibraryItemFactory(title="普通商品")
        assert creator_api.get(RECOMMENDED).json()["count"] == 0
        library_item_set_recommended(actor=ops_user, item=item, recommended=True)
        assert [r["title"] for r in creator_api.get(RECOMMENDED).json()["results"]] == ["推荐好物"]
        assert AuditEntry.objects.get(action="library_item_recommended").actor == ops_user

    def test_hot_orders_by_seven_day_sales_and_ignores_stale_figures(self, creator_api):
        now = timezone.now()
        LibraryItemFactory(title="热卖", sales_7d=900, stats_at=now - timedelta(days=1))
        LibraryItemFactory(title="次热", sales_7d=500, stats_at=now)
        LibraryItemFactory(title="过时数据", sales_7d=5000, stats_at=now - timedelta(days=8))
        LibraryItemFactory(title="无销量", sales_7d=0, stats_at=now)
        assert [r["title"] for r in creator_api.get(HOT).json()["results"]] == ["热卖", "次热"]

    def test_pages(self, creator_api):
        for n in range(25):
            LibraryItemFactory(title=f"商品{n}", sales_7d=n + 1)
        page = creator_api.get(HOT, {"page_size": 10, "page": 3}).json()
        assert page["count"] == 25 and len(page["results"]) == 5 and page["next"] is None
