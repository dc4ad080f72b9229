"""Ops writes to shops and memberships go through audited services (the admin calls them)."""

import pytest

from core.models import AuditEntry
from shops.models import ShopMembership
from shops.services import shop_create, shop_member_add, shop_member_move, shop_member_remove, shop_update
from shops.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _audit(shop):
    return list(AuditEntry.objects.filter(target_id=str(shop.pk)).order_by("pk").values_list("action", "data"))


def test_shop_create_update_and_memberships_are_audited(ops_admin_user):
    shop = shop_create(actor=ops_admin_user, code="hz", name="杭州", kind="tmall")
    shop_update(actor=ops_admin_user, shop=shop, changes={"name": "杭州茶"})
    shop_update(actor=ops_admin_user, shop=shop, changes={})  # nothing changed: no row
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    membership = shop_member_add(actor=ops_admin_user, shop=shop, user=alice)
    shop_member_move(actor=ops_admin_user, membership=membership, user=bob)
    shop_member_remove(actor=ops_admin_user, membership=membership)
    shop.refresh_from_db()
    assert shop.name == "杭州茶"
    assert not ShopMembership.objects.filter(shop=shop).exists()
    assert _audit(shop) == [
        ("shop_created", {"kind": "tmall"}),
        ("shop_changed", {"name": ["杭州", "杭州茶"]}),
        ("shop_member_added", {"user": "alice"}),
        ("shop_member_added", {"user": "bob"}),
        ("shop_member_removed", {"user": "bob"}),
    ]
