"""The content library (内容商品库): items and share tokens pushed in by the platform, and the
recommended flag set by ops.

Ingestion is an upsert by ``(platform, item_id)`` because library items change over time
(price, sales, clicks): an identical push is a no-op (200); a push with different content
updates the row, bumps ``version`` and writes an audit row with the changed fields (200); a push
whose ``stats_at`` is older than the stored one and that would change something is
``library_item_stale`` (409) — a late, out-of-order push never overwrites newer figures."""

from datetime import datetime
from decimal import Decimal
from typing import NotRequired, TypedDict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit_record
from core.bounds import check_list_size
from core.errors import Conflict, InvalidInput
from core.results import Ingested
from storefront.models import LibraryItem, ShareToken
from storefront.parsing import is_token_code
from storefront.text import search_key

CONTENT_FIELDS = ("title", "price", "image_url", "sales_7d", "clicks")


def library_search_text(*, title: str, item_id: str) -> str:
    return search_key(f"{title} {item_id}")[:300]


#: A library item's content as pushed (``CONTENT_FIELDS``).
ContentValue = str | Decimal | int


class ShareTokenPush(TypedDict):
    """A share token pushed with its library item."""

    code: str
    expires_at: NotRequired[datetime | None]


def _jsonable(value: ContentValue | datetime | None) -> str | int | None:
    return str(value) if isinstance(value, Decimal | datetime) else value


@transaction.atomic
def library_item_ingest(
    *,
    actor: Actor,
    platform: str,
    item_id: str,
    title: str,
    price: Decimal,
    image_url: str = "",
    sales_7d: int = 0,
    clicks: int = 0,
    stats_at: datetime | None = None,
    share_tokens: list[ShareTokenPush] | None = None,
) -> Ingested[LibraryItem]:
    check_list_size(share_tokens or [], field="share_tokens")  # SPEC §9, before any database work
    values: dict[str, ContentValue] = {
        "title": title,
        "price": price,
        "image_url": image_url,
        "sales_7d": sales_7d,
        "clicks": clicks,
    }
    now = timezone.now()
    try:
        with transaction.atomic():
            item = LibraryItem.objects.create(
                platform=platform,
                item_id=item_id,
                stats_at=stats_at or now,
                search_text=library_search_text(title=title, item_id=item_id),
                **values,
            )
        audit_record(
            actor=actor, target=item, action="library_item_created", at=now, data={"platform": platform, "item_id": item_id}
        )
        result = Ingested(item, True, True)
    except IntegrityError:
        item = LibraryItem.objects.select_for_update().get(platform=platform, item_id=item_id)
        result = _library_item_update(actor=actor, item=item, values=values, stats_at=stats_at, now=now)
    changed_tokens = [
        share_token_ingest(actor=actor, code=t["code"], library_item=result.obj, expires_at=t.get("expires_at"))
        for t in share_tokens or []
    ]
    if not result.changed and any(t.changed for t in changed_tokens):
        result = Ingested(result.obj, False, True)
    return result


def _library_item_update(
    *, actor: Actor, item: LibraryItem, values: dict[str, ContentValue], stats_at: datetime | None, now: datetime
) -> Ingested[LibraryItem]:
    changes = {f: [_jsonable(getattr(item, f)), _jsonable(v)] for f, v in values.items() if getattr(item, f) != v}
    if stats_at is not None and stats_at != item.stats_at and changes:
        if stats_at < item.stats_at:
            raise Conflict("library_item_stale", _("The library already holds newer figures for this item."))
    if not changes:
        return Ingested(item, False, False)
    for field, value in values.items():
        setattr(item, field, value)
    item.stats_at = stats_at or now
    item.search_text = library_search_text(title=item.title, item_id=item.item_id)
    item.version += 1
    item.save(update_fields=[*CONTENT_FIELDS, "stats_at", "search_text", "version", "updated_at"])
    audit_record(
        actor=actor, target=item, action="library_item_updated", at=now, data={"version": item.version, "changes": changes}
    )
    return Ingested(item, False, True)


@transaction.atomic
def share_token_ingest(
    *, actor: Actor, code: str, library_item: LibraryItem, expires_at: datetime | None = None
) -> Ingested[ShareToken]:
    """Record a share token for an item. The same token for another item is
    ``share_token_conflict`` (409); a new expiry for the same item updates it."""
    if not is_token_code(code):
        raise InvalidInput("token_invalid", _("A share token is 8–20 letters and digits."))
    try:
        with transaction.atomic():
            token = ShareToken.objects.create(code=code, library_item=library_item, expires_at=expires_at)
    except IntegrityError:
        token = ShareToken.objects.select_for_update().get(code=code)
    else:
        audit_record(actor=actor, target=token, action="share_token_created", data={"library_item": library_item.pk})
        return Ingested(token, True, True)
    if token.library_item_id != library_item.pk:
        raise Conflict("share_token_conflict", _("The share token %(code)s points at another item.") % {"code": code})
    if token.expires_at != expires_at:
        audit_record(
            actor=actor,
            target=token,
            action="share_token_updated",
            data={"expires_at": [_jsonable(token.expires_at), _jsonable(expires_at)]},
        )
        token.expires_at = expires_at
        token.save(update_fields=["expires_at"])
        return Ingested(token, False, True)
    return Ingested(token, False, False)


@transaction.atomic
def library_item_set_recommended(*, actor: Actor, item: LibraryItem, recommended: bool) -> LibraryItem:
    """Ops mark an item as recommended (推荐) or take the mark off; audited, no-op if unchanged."""
    item = LibraryItem.objects.select_for_update().get(pk=item.pk)
    if item.recommended == recommended:
        return item
    item.recommended = recommended
    item.save(update_fields=["recommended", "updated_at"])
    audit_record(actor=actor, target=item, action="library_item_recommended" if recommended else "library_item_unrecommended")
    return item
