"""Concurrent adds of the same item end in one listing and one ``already_listed`` (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from storefront.models import Listing
from storefront.services import listing_add
from storefront.tests.factories import LibraryItemFactory, StorefrontFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pastes_of_the_same_item_at_once():
    storefront = StorefrontFactory()
    LibraryItemFactory(platform="jd", item_id="100012043978")
    barrier = threading.Barrier(2)
    outcomes = []

    def paste():
        try:
            barrier.wait()
            listing_add(actor=storefront.owner, storefront=storefront, text="https://item.jd.com/100012043978.html")
            outcomes.append("listed")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=paste) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_listed", "listed"]
    assert Listing.objects.count() == 1
