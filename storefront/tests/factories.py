from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from shops.tests.factories import UserFactory
from storefront.models import LibraryItem, Listing, PidBinding, ShareToken, ShopBinding, Storefront
from storefront.services.library import library_search_text


class StorefrontFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Storefront

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"好物小店 {n}")


class LibraryItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryItem

    platform = "taobao"
    item_id = factory.Sequence(lambda n: f"{600000000000 + n}")
    title = factory.Sequence(lambda n: f"商品 {n}")
    price = Decimal("99.00")
    sales_7d = 10
    clicks = 100
    stats_at = factory.LazyFunction(timezone.now)
    search_text = factory.LazyAttribute(lambda o: library_search_text(title=o.title, item_id=o.item_id))


class ShareTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShareToken

    code = factory.Sequence(lambda n: f"Tok{n:08d}x")
    library_item = factory.SubFactory(LibraryItemFactory)


class PidBindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PidBinding

    storefront = factory.SubFactory(StorefrontFactory)
    pid = "mm_12345678_2345678_34567890"
    member_id = "12345678"
    site_id = "2345678"
    adzone_id = "34567890"
    bound_at = factory.LazyFunction(timezone.now)
    bound_by = factory.SelfAttribute("storefront.owner")


class ShopBindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShopBinding

    storefront = factory.SubFactory(StorefrontFactory)
    platform = "youzan"
    external_shop_id = factory.Sequence(lambda n: f"{40000 + n}")
    external_shop_name = factory.Sequence(lambda n: f"有赞小铺 {n}")
    granted_at = factory.LazyFunction(timezone.now)
    granted_by = factory.SelfAttribute("storefront.owner")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=365))


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    storefront = factory.SubFactory(StorefrontFactory)
    library_item = factory.SubFactory(LibraryItemFactory)
    first_listed_at = factory.LazyFunction(timezone.now)
    listed_at = factory.SelfAttribute("first_listed_at")
