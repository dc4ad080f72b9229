"""Domain writes of the storefront (SPEC §7). Each is ``@transaction.atomic`` and audited."""

from core.results import Ingested
from storefront.services.bindings import pid_bind, pid_unbind, shop_bind, shop_unbind, storefront_create
from storefront.services.library import library_item_ingest, library_item_set_recommended, share_token_ingest
from storefront.services.listings import (
    PublishResult,
    listing_add,
    listing_add_from_library,
    listing_readd,
    listing_remove,
)

__all__ = [
    "Ingested",
    "PublishResult",
    "library_item_ingest",
    "library_item_set_recommended",
    "listing_add",
    "listing_add_from_library",
    "listing_readd",
    "listing_remove",
    "pid_bind",
    "pid_unbind",
    "share_token_ingest",
    "shop_bind",
    "shop_unbind",
    "storefront_create",
]
