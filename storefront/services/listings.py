"""Publishing products in a storefront: add (by token or link, or from the selection centre),
remove and re-add. One transaction per call, so nothing is published half-way.

Rules, checked in this order once the paste is parsed and a token resolved (SPEC §7 and the
article's 注意事项):
1. a Taobao or Tmall item needs an active affiliate PID (``pid_required``, 409) **and** must be
   in the content library (``item_not_in_library``, 400);
2. a Youzan item needs an active, unexpired Youzan shop binding (``youzan_shop_required``, 409);
3. other items must be known to their platform's adapter (``item_not_found``, 400);
4. an item already listed in the storefront is refused (``already_listed``, 409); a removed one
   is listed again (the same row, its history in the audit trail).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from core.transitions import guard_transition
from storefront.adapters import adapter_for, token_resolver
from storefront.models import BindingStatus, ItemPlatform, LibraryItem, Listing, PidBinding, ShopBinding, Storefront
from storefront.parsing import ItemRef, TokenRef, parse_product_ref

LISTING_TRANSITIONS: dict[str, set[str]] = {
    Listing.Status.LISTED: {Listing.Status.REMOVED},
    Listing.Status.REMOVED: {Listing.Status.LISTED},
}
AFFILIATE_PLATFORMS = {ItemPlatform.TAOBAO, ItemPlatform.TMALL}


@dataclass(frozen=True)
class PublishResult:
    listing: Listing
    relisted: bool  # a removed listing listed again (else a new one)


def _lock(storefront: Storefront) -> Storefront:
    return Storefront.objects.select_for_update().get(pk=storefront.pk)


def _has_active_pid(storefront: Storefront) -> bool:
    return PidBinding.objects.filter(storefront=storefront, status=BindingStatus.ACTIVE).exists()


def _has_usable_shop(storefront: Storefront, platform: str, at: datetime) -> bool:
    return ShopBinding.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=at),
        storefront=storefront,
        platform=platform,
        status=BindingStatus.ACTIVE,
    ).exists()


def publishable_item(*, storefront: Storefront, ref: ItemRef, at: datetime) -> LibraryItem:
    """The item ``ref`` names, if the storefront may publish it; else the rule's error."""
    if ref.platform in AFFILIATE_PLATFORMS:
        if not _has_active_pid(storefront):
            raise Conflict("pid_required", _("Bind a Taobao affiliate PID before adding Taobao or Tmall items."))
        item = LibraryItem.objects.filter(platform=ref.platform, item_id=ref.item_id).first()
        if item is None:
            raise InvalidInput("item_not_in_library", _("This item is not in the Taobao content product library."))
        return item
    if ref.platform == ItemPlatform.YOUZAN and not _has_usable_shop(storefront, ItemPlatform.YOUZAN, at):
        raise Conflict("youzan_shop_required", _("Bind a Youzan shop before adding Youzan items."))
    item = adapter_for(ref.platform).get_item(ref.item_id)
    if item is None:
        raise InvalidInput("item_not_found", _("The platform does not know this item."))
    return item


def _publish(*, actor: User, storefront: Storefront, ref: ItemRef, source: str, at: datetime) -> PublishResult:
    item = publishable_item(storefront=storefront, ref=ref, at=at)
    listing = Listing.objects.select_for_update().filter(storefront=storefront, library_item=item).first()
    if listing is not None:
        if listing.status == Listing.Status.LISTED:
            raise Conflict("already_listed", _("This item is already in your storefront."))
        _relist(actor=actor, listing=listing, at=at, source=source)
        return PublishResult(listing, True)
    try:
        with transaction.atomic():
            listing = Listing.objects.create(storefront=storefront, library_item=item, first_listed_at=at, listed_at=at)
    except IntegrityError:
        raise Conflict("already_listed", _("This item is already in your storefront."))
    audit_record(
        actor=actor,
        target=listing,
        action="listing_added",
        to_status=Listing.Status.LISTED,
        at=at,
        data={"platform": item.platform, "item_id": item.item_id, "source": source},
    )
    return PublishResult(listing, False)


def _relist(*, actor: User, listing: Listing, at: datetime, source: str) -> None:
    guard_transition(
        LISTING_TRANSITIONS, current=listing.status, target=Listing.Status.LISTED, code="already_listed", entity="listing"
    )
    listing.status = Listing.Status.LISTED
    listing.listed_at = at
    listing.removed_at = None
    listing.times_listed += 1
    listing.save(update_fields=["status", "listed_at", "removed_at", "times_listed"])
    audit_record(
        actor=actor,
        target=listing,
        action="listing_relisted",
        from_status=Listing.Status.REMOVED,
        to_status=Listing.Status.LISTED,
        at=at,
        data={"source": source},
    )


@transaction.atomic
def listing_add(*, actor: User, storefront: Storefront, text: str) -> PublishResult:
    """Add a product by pasting a share token or an item link (添加商品)."""
    ref = parse_product_ref(text)
    now = timezone.now()
    source = "link"
    if isinstance(ref, TokenRef):
        ref = token_resolver().resolve_token(ref.code, at=now)
        source = "token"
    storefront = _lock(storefront)
    return _publish(actor=actor, storefront=storefront, ref=ref, source=source, at=now)


@transaction.atomic
def listing_add_from_library(*, actor: User, storefront: Storefront, library_item: LibraryItem) -> PublishResult:
    """One-click add from the selection centre (选品中心); the same rules apply."""
    storefront = _lock(storefront)
    ref = ItemRef(library_item.platform, library_item.item_id)
    return _publish(actor=actor, storefront=storefront, ref=ref, source="selection", at=timezone.now())


@transaction.atomic
def listing_remove(*, actor: User, listing: Listing) -> Listing:
    """Take a product off the storefront (删除); the row stays as history."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    guard_transition(
        LISTING_TRANSITIONS, current=listing.status, target=Listing.Status.REMOVED, code="listing_not_listed", entity="listing"
    )
    now = timezone.now()
    listing.status = Listing.Status.REMOVED
    listing.removed_at = now
    listing.save(update_fields=["status", "removed_at"])
    audit_record(
        actor=actor,
        target=listing,
        action="listing_removed",
        from_status=Listing.Status.LISTED,
        to_status=Listing.Status.REMOVED,
        at=now,
    )
    return listing


@transaction.atomic
def listing_readd(*, actor: User, listing: Listing) -> Listing:
    """List a removed product again (再次上传). The publishing rules are checked again: a PID
    or Youzan shop unbound since is required again."""
    storefront = _lock(listing.storefront)
    listing = Listing.objects.select_for_update().select_related("library_item").get(pk=listing.pk)
    if listing.status == Listing.Status.LISTED:
        raise Conflict("already_listed", _("This item is already in your storefront."))
    now = timezone.now()
    item = listing.library_item
    publishable_item(storefront=storefront, ref=ItemRef(item.platform, item.item_id), at=now)
    _relist(actor=actor, listing=listing, at=now, source="readd")
    return listing
