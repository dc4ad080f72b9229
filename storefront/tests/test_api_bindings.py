"""Opening a storefront, binding shops (authorisation grants) and the affiliate PID."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEntry
from storefront.models import PidBinding, ShopBinding, Storefront
from storefront.tests.conftest import assert_error
from storefront.tests.factories import PidBindingFactory, ShopBindingFactory

pytestmark = pytest.mark.django_db

STOREFRONT = "/api/v1/storefront/"
SHOPS = "/api/v1/storefront/shop-bindings/"
PIDS = "/api/v1/storefront/pid-bindings/"


class TestStorefront:
    def test_open_repeat_and_conflict(self, creator_api, creator):
        assert_error(creator_api.get(STOREFRONT), 404, "storefront_not_found")
        created = creator_api.post(STOREFRONT, {"name": "阿花的好物小店"}, format="json")
        assert created.status_code == 201
        assert created.json()["name"] == "阿花的好物小店"
        assert creator_api.post(STOREFRONT, {"name": "阿花的好物小店"}, format="json").status_code == 200
        assert_error(creator_api.post(STOREFRONT, {"name": "别的名字"}, format="json"), 409, "storefront_exists")
        assert Storefront.objects.get(owner=creator).name == "阿花的好物小店"
        assert AuditEntry.objects.filter(action="storefront_created").count() == 1
        body = creator_api.get(STOREFRONT).json()
        assert body["active_pid"] is None and body["listed_count"] == 0

    def test_name_is_required(self, creator_api):
        assert_error(creator_api.post(STOREFRONT, {}, format="json"), 400, "required")
        assert not Storefront.objects.exists()

    def test_each_creator_sees_their_own(self, creator_api, storefront, other_storefront):
        assert creator_api.get(STOREFRONT).json()["id"] == storefront.pk


def bind(api, **overrides):
    body = {"platform": "youzan", "external_shop_id": "40001", "external_shop_name": "有赞茶铺"} | overrides
    return api.post(SHOPS, body, format="json")


class TestShopBinding:
    def test_bind_records_the_grant(self, creator_api, storefront, creator):
        response = bind(creator_api)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "active" and body["usable"] is True
        assert body["granted_by"] == creator.username
        binding = ShopBinding.objects.get()
        assert binding.expires_at - binding.granted_at == timedelta(days=365)
        assert AuditEntry.objects.filter(action="shop_bound", target_id=str(binding.pk)).exists()

    def test_grant_validity_is_a_setting(self, creator_api, storefront, settings):
        settings.STOREFRONT_SHOP_GRANT_VALIDITY = timedelta(days=30)
        bind(creator_api)
        binding = ShopBinding.objects.get()
        assert binding.expires_at - binding.granted_at == timedelta(days=30)

    @pytest.mark.parametrize("platform", ["taobao", "jd", "youzan", "jumei", "ymatou", "ctrip"])
    def test_every_platform_of_the_article(self, creator_api, storefront, platform):
        assert bind(creator_api, platform=platform).status_code == 201

    @pytest.mark.parametrize(
        ("field", "value"),
        [("platform", "pinduoduo"), ("platform", "tmall"), ("external_shop_id", "有赞"), ("external_shop_name", "")],
    )
    def test_bad_input(self, creator_api, storefront, field, value):
        assert_error(bind(creator_api, **{field: value}), 400, "invalid")
        assert not ShopBinding.objects.exists()

    def test_repeat_is_200_and_another_storefront_is_409(self, creator_api, other_creator_api, storefront, other_storefront):
        first = bind(creator_api).json()
        repeat = bind(creator_api)
        assert repeat.status_code == 200 and repeat.json()["id"] == first["id"]
        assert_error(bind(other_creator_api), 409, "shop_bound_elsewhere")
        assert ShopBinding.objects.count() == 1

    def test_unbind_keeps_the_row_and_allows_binding_again(
        self, creator_api, other_creator_api, storefront, other_storefront, creator
    ):
        binding_id = bind(creator_api).json()["id"]
        revoked = creator_api.post(f"{SHOPS}{binding_id}/revoke/", {"reason": "不再合作"}, format="json")
        assert revoked.status_code == 200
        assert revoked.json()["status"] == "revoked"
        assert revoked.json()["revoked_by"] == creator.username
        assert revoked.json()["revoke_reason"] == "不再合作"
        assert_error(creator_api.post(f"{SHOPS}{binding_id}/revoke/"), 409, "binding_revoked")
        assert bind(other_creator_api).status_code == 201
        assert ShopBinding.objects.count() == 2
        audit = AuditEntry.objects.get(action="shop_unbound")
        assert (audit.from_status, audit.to_status) == ("active", "revoked")

    def test_an_expired_grant_is_closed_and_replaced(self, creator_api, storefront):
        old = ShopBindingFactory(
            storefront=storefront, platform="youzan", external_shop_id="40001", expires_at=timezone.now() - timedelta(days=1)
        )
        response = bind(creator_api)
        assert response.status_code == 201
        old.refresh_from_db()
        assert old.status == "revoked" and old.revoke_reason == "expired" and old.revoked_by is None
        assert response.json()["id"] != old.pk

    def test_without_a_storefront(self, creator_api):
        assert_error(bind(creator_api), 409, "storefront_required")

    def test_tenant_isolation(self, creator_api, storefront, other_storefront):
        theirs = ShopBindingFactory(storefront=other_storefront)
        assert_error(creator_api.get(f"{SHOPS}{theirs.pk}/"), 404, "shop_binding_not_found")
        assert_error(creator_api.post(f"{SHOPS}{theirs.pk}/revoke/"), 404, "shop_binding_not_found")
        assert creator_api.get(SHOPS).json()["count"] == 0
        theirs.refresh_from_db()
        assert theirs.status == "active"


class TestPidBinding:
    def test_bind_repeat_and_replace(self, creator_api, storefront):
        created = creator_api.post(PIDS, {"pid": "mm_12345678_2345678_34567890"}, format="json")
        assert created.status_code == 201
        assert created.json()["adzone_id"] == "34567890"
        assert creator_api.post(PIDS, {"pid": "mm_12345678_2345678_34567890"}, format="json").status_code == 200
        replaced = creator_api.post(PIDS, {"pid": "mm_12345678_2345678_99999999"}, format="json")
        assert replaced.status_code == 201
        assert list(PidBinding.objects.order_by("id").values_list("status", flat=True)) == ["revoked", "active"]
        assert creator_api.get(STOREFRONT).json()["active_pid"] == "mm_12345678_2345678_99999999"
        assert creator_api.get(PIDS).json()["count"] == 2

    @pytest.mark.parametrize("pid", ["mm_123", "12345678_2345678_34567890", "mm_a_b_c", ""])
    def test_invalid_pid(self, creator_api, storefront, pid):
        response = creator_api.post(PIDS, {"pid": pid}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] in ({"pid_invalid"} if pid else {"invalid"})
        assert not PidBinding.objects.exists()

    def test_revoke(self, creator_api, storefront):
        pid_id = creator_api.post(PIDS, {"pid": "mm_1_2_3"}, format="json").json()["id"]
        assert creator_api.post(f"{PIDS}{pid_id}/revoke/").json()["status"] == "revoked"
        assert_error(creator_api.post(f"{PIDS}{pid_id}/revoke/"), 409, "binding_revoked")
        assert creator_api.get(STOREFRONT).json()["active_pid"] is None

    def test_tenant_isolation(self, creator_api, storefront, other_storefront):
        theirs = PidBindingFactory(storefront=other_storefront)
        assert_error(creator_api.get(f"{PIDS}{theirs.pk}/"), 404, "pid_binding_not_found")
        assert_error(creator_api.post(f"{PIDS}{theirs.pk}/revoke/"), 404, "pid_binding_not_found")
        assert creator_api.get(PIDS).json()["count"] == 0
