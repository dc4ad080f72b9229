"""The one interface through which the storefront reaches a third-party platform.

Today every platform is served by the content library (``library.py``); a real client (Taobao
Open Platform, JD Union, Youzan Cloud…) implements the same protocol and replaces the
library-backed adapter in the registry (``storefront.adapters.register``) without touching the
services."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from storefront.models import LibraryItem
from storefront.parsing import ItemRef


@dataclass(frozen=True)
class ShopGrant:
    """What an authorisation (OAuth) of a third-party shop yields."""

    external_shop_id: str
    external_shop_name: str
    expires_at: datetime | None


@runtime_checkable
class PlatformAdapter(Protocol):
    platform: str

    def resolve_token(self, code: str, *, at: datetime) -> ItemRef:
        """The item a share token points at. Raises ``InvalidInput`` ``token_unknown`` /
        ``token_expired``, or ``token_unsupported`` on platforms without share tokens."""
        ...

    def get_item(self, item_id: str) -> LibraryItem | None:
        """The item's catalogue row, or ``None`` when the platform does not know it."""
        ...

    def authorise_shop(self, *, external_shop_id: str, external_shop_name: str, at: datetime) -> ShopGrant:
        """Exchange the creator's authorisation for a grant on the shop."""
        ...
