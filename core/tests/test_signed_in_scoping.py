"""Selectors scope by ``core.roles.signed_in``: the anonymous user reads nothing, and no query
compares a user column with it (which used to be a TypeError in the storefront and reply look-ups)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.errors import NotFound
from core.roles import signed_in
from notifications import selectors as notification_selectors
from notifications.tests.factories import NotificationFactory
from shops import selectors as shop_selectors
from shops.tests.factories import ShopFactory, UserFactory
from storefront import selectors as storefront_selectors
from storefront.tests.factories import ListingFactory, PidBindingFactory, ShopBindingFactory
from tickets import selectors as ticket_selectors
from tickets.tests.factories import UrgeTaskFactory

pytestmark = pytest.mark.django_db


def test_signed_in_is_the_account_or_none():
    user = UserFactory.create()
    assert signed_in(user) is user
    assert signed_in(AnonymousUser()) is None
    assert signed_in(None) is None


def test_the_anonymous_user_reads_nothing():
    # given: a shop with no members (a NULL membership must not match the anonymous user),
    # its task, and another user's storefront rows and notification
    shop = ShopFactory.create()
    task = UrgeTaskFactory.create(order__shop=shop, shop=shop)
    binding, pid, listing = ShopBindingFactory.create(), PidBindingFactory.create(), ListingFactory.create()
    notification = NotificationFactory.create()
    anonymous = AnonymousUser()

    # then: every scoped read is empty, every look-up a 404
    assert not shop_selectors.shops_for_user(user=anonymous).exists()
    assert not ticket_selectors.ticket_list_for_user(user=anonymous).exists()
    with pytest.raises(NotFound):
        ticket_selectors.ticket_get_for_reply(user=anonymous, pk=task.pk)
    assert storefront_selectors.storefront_for_user(user=anonymous) is None
    assert list(storefront_selectors.shop_bindings_for_user(user=anonymous)) == []
    assert list(storefront_selectors.pid_bindings_for_user(user=anonymous)) == []
    assert list(storefront_selectors.listings_for_user(user=anonymous)) == []
    with pytest.raises(NotFound):
        storefront_selectors.shop_binding_get_for_user(user=anonymous, pk=binding.pk)
    with pytest.raises(NotFound):
        storefront_selectors.pid_binding_get_for_user(user=anonymous, pk=pid.pk)
    with pytest.raises(NotFound):
        storefront_selectors.listing_get_for_user(user=anonymous, pk=listing.pk)
    assert notification_selectors.notification_unread_count(user=anonymous) == 0
    assert list(notification_selectors.notification_list_for_user(user=anonymous)) == []
    with pytest.raises(NotFound):
        notification_selectors.notification_get_for_user(user=anonymous, pk=notification.pk)


def test_the_owner_still_reads_their_rows():
    listing = ListingFactory.create()
    owner = listing.storefront.owner
    assert list(storefront_selectors.listings_for_user(user=owner)) == [listing]
    assert storefront_selectors.storefront_for_user(user=owner) == listing.storefront
