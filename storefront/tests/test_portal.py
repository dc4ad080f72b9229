"""Portal pages (Chinese): each step renders, writes go through the services, refusals show
their message, and another creator's objects are 404."""

import pytest
from django.urls import reverse

from core.models import AuditEntry
from storefront.models import Listing, PidBinding, ShopBinding, Storefront
from storefront.tests.factories import LibraryItemFactory, ListingFactory, PidBindingFactory, ShopBindingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, creator):
    client.force_login(creator)
    return client


def body(response) -> str:
    return response.content.decode()


def test_login_required(client):
    response = client.get(reverse("storefront:portal-home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_open_a_storefront(logged_in, creator):
    page = body(logged_in.get(reverse("storefront:portal-home")))
    assert "开通小店" in page
    logged_in.post(reverse("storefront:portal-home"), {"name": "阿花的好物小店"})
    assert Storefront.objects.get(owner=creator).name == "阿花的好物小店"
    page = body(logged_in.get(reverse("storefront:portal-home")))
    assert "阿花的好物小店" in page and "未绑定" in page and "选品中心" in page


def test_steps_need_a_storefront(logged_in):
    response = logged_in.get(reverse("storefront:portal-add"))
    assert response.status_code == 302 and response["Location"] == reverse("storefront:portal-home")


@pytest.mark.parametrize(
    "name", ["portal-home", "portal-shops", "portal-pid", "portal-add", "portal-selection", "portal-listings"]
)
def test_every_step_renders_in_chinese(logged_in, storefront, name):
    response = logged_in.get(reverse(f"storefront:{name}"))
    assert response.status_code == 200
    assert "我的小店" in body(response) and "商品管理" in body(response)


def test_bind_shop_and_unbind(logged_in, storefront):
    logged_in.post(
        reverse("storefront:portal-shops"), {"platform": "youzan", "external_shop_id": "40001", "external_shop_name": "有赞茶铺"}
    )
    binding = ShopBinding.objects.get()
    page = body(logged_in.get(reverse("storefront:portal-shops")))
    assert "有赞茶铺" in page and "有赞" in page and "有效" in page
    logged_in.post(reverse("storefront:portal-shop-revoke", args=[binding.pk]))
    binding.refresh_from_db()
    assert binding.status == "revoked"


def test_bind_pid_refuses_a_bad_one_in_chinese(logged_in, storefront):
    response = logged_in.post(reverse("storefront:portal-pid"), {"pid": "mm_abc"}, follow=True)
    assert "PID 格式应为" in body(response)
    assert not PidBinding.objects.exists()
    logged_in.post(reverse("storefront:portal-pid"), {"pid": "mm_12345678_2345678_34567890"})
    assert PidBinding.objects.get().status == "active"


def test_add_by_paste_and_the_rule_messages(logged_in, storefront):
    LibraryItemFactory(platform="taobao", item_id="605123456789", title="象印保温杯")
    refused = logged_in.post(reverse("storefront:portal-add"), {"text": "https://item.taobao.com/item.htm?id=605123456789"})
    assert refused.status_code == 400
    assert "需先绑定淘宝联盟 PID" in body(refused) and "pid_required" in body(refused)
    unrecognised = logged_in.post(reverse("storefront:portal-add"), {"text": "随便写点什么"})
    assert "未识别到淘口令或商品链接" in body(unrecognised)
    PidBindingFactory(storefront=storefront)
    added = logged_in.post(
        reverse("storefront:portal-add"), {"text": "https://item.taobao.com/item.htm?id=605123456789"}, follow=True
    )
    assert "已添加：象印保温杯" in body(added)
    assert Listing.objects.get().status == "listed"


def test_selection_tabs_and_one_click_add(logged_in, storefront):
    LibraryItemFactory(platform="jd", title="ＳＯＮＹ 降噪耳机", recommended=True, sales_7d=10)
    item = LibraryItemFactory(platform="jd", title="九阳豆浆机", sales_7d=99)
    assert "九阳豆浆机" in body(logged_in.get(reverse("storefront:portal-selection"), {"q": "豆浆"}))
    assert "降噪耳机" in body(logged_in.get(reverse("storefront:portal-selection"), {"q": "sony"}))
    recommended = body(logged_in.get(reverse("storefront:portal-selection"), {"tab": "recommended"}))
    assert "降噪耳机" in recommended and "九阳豆浆机" not in recommended
    next_url = reverse("storefront:portal-selection") + "?tab=hot"
    response = logged_in.post(reverse("storefront:portal-selection-add"), {"library_item": item.pk, "next": next_url})
    assert response["Location"] == next_url
    assert Listing.objects.get().library_item == item
    assert "已添加" in body(logged_in.get(next_url))


def test_product_management_remove_and_readd(logged_in, storefront):
    listing = ListingFactory(storefront=storefront, library_item=LibraryItemFactory(platform="jd", title="小米手机"))
    assert "小米手机" in body(logged_in.get(reverse("storefront:portal-listings")))
    logged_in.post(reverse("storefront:portal-listing-remove", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.status == "removed"
    assert "重新上架" in body(logged_in.get(reverse("storefront:portal-listings"), {"status": "removed"}))
    logged_in.post(reverse("storefront:portal-listing-readd", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.status == "listed"
    assert AuditEntry.objects.filter(target_type="storefront.listing").count() == 2


def test_another_creators_objects_are_404(logged_in, storefront, other_storefront):
    listing = ListingFactory(storefront=other_storefront)
    shop = ShopBindingFactory(storefront=other_storefront)
    pid = PidBindingFactory(storefront=other_storefront)
    assert logged_in.post(reverse("storefront:portal-listing-remove", args=[listing.pk])).status_code == 404
    assert logged_in.post(reverse("storefront:portal-shop-revoke", args=[shop.pk])).status_code == 404
    assert logged_in.post(reverse("storefront:portal-pid-revoke", args=[pid.pk])).status_code == 404
    assert "阿草" not in body(logged_in.get(reverse("storefront:portal-listings")))
    listing.refresh_from_db()
    assert listing.status == "listed"


def test_nav_links_to_the_storefront(logged_in, storefront):
    assert reverse("storefront:portal-home") in body(logged_in.get(reverse("portal:home")))
