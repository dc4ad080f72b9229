"""Adding products through the API: the paste table, every publishing rule, remove / re-add,
and that nothing is published half-way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEntry
from storefront.models import Listing
from storefront.parsing import ItemRef, TokenRef
from storefront.tests.conftest import assert_error
from storefront.tests.factories import (
    LibraryItemFactory,
    ListingFactory,
    PidBindingFactory,
    ShareTokenFactory,
    ShopBindingFactory,
)
from storefront.tests.paste_cases import CASES, EXPIRED_TOKENS, LIBRARY, TOKENS

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/storefront/listings/"


def url(pk: int, action: str = "") -> str:
    return f"{LISTINGS}{pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def library():
    items = {(p, i): LibraryItemFactory(platform=p, item_id=i, title=t) for p, i, t in LIBRARY}
    for code, ref in TOKENS.items():
        expires = timezone.now() - timedelta(minutes=1) if code in EXPIRED_TOKENS else None
        ShareTokenFactory(code=code, library_item=items[ref], expires_at=expires)
    return items


@pytest.fixture
def ready_storefront(storefront, library):
    """A storefront with a bound PID and a bound Youzan shop: every rule can pass."""
    PidBindingFactory(storefront=storefront)
    ShopBindingFactory(storefront=storefront, platform="youzan")
    return storefront


def add(api, text):
    return api.post(LISTINGS, {"text": text}, format="json")


@pytest.mark.parametrize(("text", "expected"), [pytest.param(c[1], c[3], id=c[0]) for c in CASES])
def test_paste_table_through_the_add_endpoint(creator_api, ready_storefront, text, expected):
    response = add(creator_api, text)
    if isinstance(expected, tuple):
        assert response.status_code == 201, response.content
        item = response.json()["library_item"]
        assert (item["platform"], item["item_id"]) == expected
        assert response.json()["status"] == "listed"
        assert Listing.objects.filter(storefront=ready_storefront, status="listed").count() == 1
    else:
        assert_error(response, 409 if expected == "already_listed" else 400, expected)
        assert not Listing.objects.exists()


def test_parser_and_endpoint_columns_agree():
    """Each valid parse in the table either lists its own item or fails a rule after parsing."""
    for _id, _text, parsed, listed in CASES:
        if isinstance(parsed, ItemRef) and isinstance(listed, tuple):
            assert (parsed.platform, parsed.item_id) == listed
        if isinstance(parsed, TokenRef) and isinstance(listed, tuple):
            assert TOKENS[parsed.code] == listed


class TestRules:
    @pytest.mark.parametrize("text", ["￥AbC123xyz￥", "https://detail.tmall.com/item.htm?id=612345678901"])
    def test_taobao_and_tmall_need_a_pid(self, creator_api, storefront, library, text):
        assert_error(add(creator_api, text), 409, "pid_required")
        assert not Listing.objects.exists()

    def test_pid_is_checked_before_the_library(self, creator_api, storefront, library):
        assert_error(add(creator_api, "https://item.taobao.com/item.htm?id=598765432109"), 409, "pid_required")

    def test_a_revoked_pid_does_not_count(self, creator_api, storefront, library):
        PidBindingFactory(storefront=storefront, status="revoked", revoked_at=timezone.now())
        assert_error(add(creator_api, "￥AbC123xyz￥"), 409, "pid_required")

    def test_taobao_item_must_be_in_the_library(self, creator_api, ready_storefront):
        assert_error(add(creator_api, "https://item.taobao.com/item.htm?id=598765432109"), 400, "item_not_in_library")

    def test_youzan_needs_a_youzan_shop(self, creator_api, storefront, library):
        PidBindingFactory(storefront=storefront)
        ShopBindingFactory(storefront=storefront, platform="jd")  # another platform's shop is not enough
        assert_error(add(creator_api, "https://h5.youzan.com/v2/goods/2xabcdef12"), 409, "youzan_shop_required")

    def test_an_expired_youzan_grant_does_not_count(self, creator_api, storefront, library):
        ShopBindingFactory(storefront=storefront, platform="youzan", expires_at=timezone.now() - timedelta(seconds=1))
        assert_error(add(creator_api, "https://h5.youzan.com/v2/goods/2xabcdef12"), 409, "youzan_shop_required")

    def test_a_revoked_youzan_shop_does_not_count(self, creator_api, storefront, library):
        ShopBindingFactory(storefront=storefront, platform="youzan", status="revoked", revoked_at=timezone.now())
        assert_error(add(creator_api, "https://h5.youzan.com/v2/goods/2xabcdef12"), 409, "youzan_shop_required")

    def test_jd_needs_neither_pid_nor_shop(self, creator_api, storefront, library):
        assert add(creator_api, "https://item.jd.com/100012043978.html").status_code == 201

    def test_duplicate_is_refused_by_token_and_by_link(self, creator_api, ready_storefront):
        assert add(creator_api, "￥AbC123xyz￥").status_code == 201
        assert_error(add(creator_api, "https://item.taobao.com/item.htm?id=605123456789"), 409, "already_listed")
        assert Listing.objects.count() == 1
        assert AuditEntry.objects.filter(action="listing_added").count() == 1

    def test_without_a_storefront(self, creator_api, library):
        assert_error(add(creator_api, "https://item.jd.com/100012043978.html"), 409, "storefront_required")

    def test_text_and_library_item_together_is_ambiguous(self, creator_api, ready_storefront, library):
        item = library[("jd", "100012043978")]
        response = creator_api.post(LISTINGS, {"text": "￥AbC123xyz￥", "library_item": item.pk}, format="json")
        assert_error(response, 400, "input_ambiguous")

    def test_empty_body(self, creator_api, ready_storefront):
        assert_error(creator_api.post(LISTINGS, {}, format="json"), 400, "input_empty")


class TestSelectionCentreAdd:
    def test_one_click_add_applies_the_same_rules(self, creator_api, storefront, library):
        taobao = library[("taobao", "605123456789")]
        assert_error(creator_api.post(LISTINGS, {"library_item": taobao.pk}, format="json"), 409, "pid_required")
        PidBindingFactory(storefront=storefront)
        response = creator_api.post(LISTINGS, {"library_item": taobao.pk}, format="json")
        assert response.status_code == 201
        assert AuditEntry.objects.get(action="listing_added").data["source"] == "selection"
        assert_error(creator_api.post(LISTINGS, {"library_item": taobao.pk}, format="json"), 409, "already_listed")

    def test_unknown_library_item(self, creator_api, storefront):
        assert_error(creator_api.post(LISTINGS, {"library_item": 999999}, format="json"), 404, "library_item_not_found")


class TestRemoveAndReadd:
    def test_remove_then_readd_keeps_one_row_and_the_history(self, creator_api, ready_storefront):
        listing_id = add(creator_api, "https://item.jd.com/100012043978.html").json()["id"]
        removed = creator_api.post(url(listing_id, "remove"))
        assert removed.status_code == 200
        assert removed.json()["status"] == "removed" and removed.json()["removed_at"]
        assert_error(creator_api.post(url(listing_id, "remove")), 409, "listing_not_listed")
        readded = creator_api.post(url(listing_id, "readd"))
        assert readded.status_code == 200
        assert readded.json()["status"] == "listed"
        assert readded.json()["removed_at"] is None
        assert readded.json()["times_listed"] == 2
        assert_error(creator_api.post(url(listing_id, "readd")), 409, "already_listed")
        assert Listing.objects.count() == 1
        actions = list(
            AuditEntry.objects.filter(target_type="storefront.listing").order_by("id").values_list("action", flat=True)
        )
        assert actions == ["listing_added", "listing_removed", "listing_relisted"]

    def test_adding_a_removed_item_again_relists_it(self, creator_api, ready_storefront):
        listing_id = add(creator_api, "￥AbC123xyz￥").json()["id"]
        creator_api.post(url(listing_id, "remove"))
        again = add(creator_api, "https://item.taobao.com/item.htm?id=605123456789")
        assert again.status_code == 201
        assert again.json()["id"] == listing_id
        assert again.json()["times_listed"] == 2

    def test_readd_checks_the_rules_again(self, creator_api, ready_storefront):
        listing_id = add(creator_api, "￥AbC123xyz￥").json()["id"]
        creator_api.post(url(listing_id, "remove"))
        pid = ready_storefront.pid_bindings.get()
        creator_api.post(f"/api/v1/storefront/pid-bindings/{pid.pk}/revoke/")
        assert_error(creator_api.post(url(listing_id, "readd")), 409, "pid_required")
        assert Listing.objects.get().status == "removed"

    def test_list_filters_by_status(self, creator_api, ready_storefront):
        first = add(creator_api, "https://item.jd.com/100012043978.html").json()["id"]
        add(creator_api, "￥AbC123xyz￥")
        creator_api.post(url(first, "remove"))
        listed = creator_api.get(LISTINGS, {"status": "listed"}).json()
        assert [r["library_item"]["item_id"] for r in listed["results"]] == ["605123456789"]
        assert creator_api.get(LISTINGS).json()["count"] == 2
        assert_error(creator_api.get(LISTINGS, {"status": "gone"}), 400, "invalid")


class TestNothingHalfPublished:
    def test_a_failure_after_the_insert_rolls_everything_back(self, creator_api, ready_storefront, monkeypatch):
        import storefront.services.listings as listings

        def broken_audit(**kwargs):
            raise RuntimeError("audit store down")

        monkeypatch.setattr(listings, "audit_record", broken_audit)
        with pytest.raises(RuntimeError):
            add(creator_api, "https://item.jd.com/100012043978.html")
        assert not Listing.objects.exists()


class TestTenantIsolation:
    def test_another_creators_listing_is_404(self, creator_api, other_creator_api, ready_storefront, other_storefront):
        listing = ListingFactory(storefront=other_storefront)
        for path in (url(listing.pk),):
            assert_error(creator_api.get(path), 404, "listing_not_found")
        for action in ("remove", "readd"):
            assert_error(creator_api.post(url(listing.pk, action)), 404, "listing_not_found")
        assert creator_api.get(LISTINGS).json()["count"] == 0
        assert other_creator_api.get(LISTINGS).json()["count"] == 1
        listing.refresh_from_db()
        assert listing.status == "listed"

    def test_the_same_item_in_two_storefronts(self, creator_api, other_creator_api, ready_storefront, other_storefront):
        assert add(creator_api, "https://item.jd.com/100012043978.html").status_code == 201
        assert add(other_creator_api, "https://item.jd.com/100012043978.html").status_code == 201
        assert Listing.objects.count() == 2


def test_anonymous_is_refused(api):
    assert api.post(LISTINGS, {"text": "￥AbC123xyz￥"}, format="json").status_code in (401, 403)
