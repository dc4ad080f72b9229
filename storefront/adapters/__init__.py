"""Registry of platform adapters: ``adapter_for(platform)``; ``register`` swaps one in."""

from django.utils.translation import gettext as _

from core.errors import InvalidInput
from storefront.adapters.base import PlatformAdapter, ShopGrant
from storefront.adapters.library import LibraryAdapter, TaobaoLibraryAdapter
from storefront.models import ItemPlatform

__all__ = ["PlatformAdapter", "ShopGrant", "adapter_for", "register", "token_resolver"]

TOKEN_PLATFORM = ItemPlatform.TAOBAO

_REGISTRY: dict[str, PlatformAdapter] = {}


def register(adapter: PlatformAdapter) -> PlatformAdapter | None:
    """Install ``adapter`` for its platform; returns the one it replaces (for tests)."""
    previous = _REGISTRY.get(adapter.platform)
    _REGISTRY[adapter.platform] = adapter
    return previous


def adapter_for(platform: str) -> PlatformAdapter:
    try:
        return _REGISTRY[platform]
    except KeyError:
        raise InvalidInput("platform_unsupported", _("Platform %(platform)s is not supported.") % {"platform": platform})


def token_resolver() -> PlatformAdapter:
    """Share tokens (淘口令) are Taobao's; they may resolve to Taobao or Tmall items."""
    return adapter_for(TOKEN_PLATFORM)


register(TaobaoLibraryAdapter(ItemPlatform.TAOBAO))
for _platform in ItemPlatform.values:
    if _platform != ItemPlatform.TAOBAO:
        register(LibraryAdapter(_platform))
