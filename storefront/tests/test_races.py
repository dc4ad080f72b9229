"""Concurrent adds of the same item end in one listing and one ``already_listed`` (PostgreSQL)."""

import pytest

from core.errors import Conflict
from core.tests.races import outcome, run_together
from storefront.models import Listing
from storefront.services import listing_add
from storefront.tests.factories import LibraryItemFactory, StorefrontFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pastes_of_the_same_item_at_once():
    storefront = StorefrontFactory()
    LibraryItemFactory(platform="jd", item_id="100012043978")

    def paste():
        listing_add(actor=storefront.owner, storefront=storefront, text="https://item.jd.com/100012043978.html")
        return "listed"

    outcomes = [outcome(r, Conflict) for r in run_together(paste, paste)]
    assert sorted(outcomes) == ["already_listed", "listed"]
    assert Listing.objects.count() == 1
