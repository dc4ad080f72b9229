"""Ops admin (Chinese): the library's recommended flag is editable by ops reviewers and audited;
bindings are read-only."""

import pytest

from core.models import AuditEntry
from storefront.models import LibraryItem
from storefront.tests.factories import LibraryItemFactory, ShopBindingFactory

pytestmark = pytest.mark.django_db

LIBRARY = "/admin/storefront/libraryitem/"


def test_library_changelist_is_chinese_and_searchable_width_insensitively(client, ops_user):
    LibraryItemFactory(title="ＮＩＫＥ 跑步鞋")
    LibraryItemFactory(title="保温杯")
    client.force_login(ops_user)
    page = client.get(LIBRARY, {"q": "nike"}).content.decode()
    assert "内容商品库" in page and "推荐" in page
    assert "跑步鞋" in page and "保温杯" not in page


def test_ops_reviewer_sets_recommended_from_the_list_and_it_is_audited(client, ops_user):
    item = LibraryItemFactory(title="保温杯")
    client.force_login(ops_user)
    response = client.post(
        LIBRARY,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(item.pk),
            "form-0-recommended": "on",
            "_save": "保存",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LibraryItem.objects.get().recommended is True
    assert AuditEntry.objects.get(action="library_item_recommended").actor == ops_user


def test_bulk_action(client, ops_user):
    items = [LibraryItemFactory(), LibraryItemFactory()]
    client.force_login(ops_user)
    client.post(LIBRARY, {"action": "mark_recommended", "_selected_action": [i.pk for i in items]})
    assert LibraryItem.objects.filter(recommended=True).count() == 2
    assert AuditEntry.objects.filter(action="library_item_recommended").count() == 2


def test_bindings_are_read_only(client, ops_user):
    binding = ShopBindingFactory()
    client.force_login(ops_user)
    assert client.get("/admin/storefront/shopbinding/").status_code == 200
    response = client.post(f"/admin/storefront/shopbinding/{binding.pk}/change/", {"status": "revoked"})
    assert response.status_code == 403
    binding.refresh_from_db()
    assert binding.status == "active"


def test_creators_cannot_use_the_admin(client, creator):
    client.force_login(creator)
    assert client.get(LIBRARY).status_code == 302
