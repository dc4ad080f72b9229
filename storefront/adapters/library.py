"""Library-backed adapters: items and share tokens come from the content library the platform
pushes in (``POST /api/v1/platform/library-items/``); shop authorisation is granted as asked
for a fixed validity (``STOREFRONT_SHOP_GRANT_VALIDITY``, default 365 days)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from storefront.adapters.base import ShopGrant
from storefront.models import LibraryItem, ShareToken
from storefront.parsing import ItemRef

DEFAULT_GRANT_VALIDITY = timedelta(days=365)


class LibraryAdapter:
    """One platform served from the content library."""

    supports_share_tokens = False

    def __init__(self, platform: str) -> None:
        self.platform = platform

    def resolve_token(self, code: str, *, at: datetime) -> ItemRef:
        if not self.supports_share_tokens:
            raise InvalidInput("token_unsupported", _("This platform has no share tokens."))
        token = ShareToken.objects.select_related("library_item").filter(code=code).first()
        if token is None:
            raise InvalidInput("token_unknown", _("The share token %(code)s is not known.") % {"code": code})
        if token.expires_at is not None and token.expires_at <= at:
            raise InvalidInput("token_expired", _("The share token %(code)s has expired.") % {"code": code})
        return ItemRef(token.library_item.platform, token.library_item.item_id)

    def get_item(self, item_id: str) -> LibraryItem | None:
        return LibraryItem.objects.filter(platform=self.platform, item_id=item_id).first()

    def authorise_shop(self, *, external_shop_id: str, external_shop_name: str, at: datetime) -> ShopGrant:
        validity = getattr(settings, "STOREFRONT_SHOP_GRANT_VALIDITY", DEFAULT_GRANT_VALIDITY)
        return ShopGrant(external_shop_id, external_shop_name, at + validity if validity else None)


class TaobaoLibraryAdapter(LibraryAdapter):
    """Taobao (and its share tokens, 淘口令, which may point at Tmall items too)."""

    supports_share_tokens = True
