"""Reads of the storefront. Tenant scoping lives here once: a creator sees only their own
storefront's bindings and listings; another creator's object is indistinguishable from none.
The content library is shared by every creator."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bounds import check_search
from core.errors import Conflict, NotFound
from core.roles import AnyUser, signed_in
from storefront.models import LibraryItem, Listing, PidBinding, ShopBinding, Storefront
from storefront.text import search_terms

HOT_WINDOW = timedelta(days=7)


def _owned(user: AnyUser) -> Q:
    """Rows of the caller's storefront; nothing for the anonymous user."""
    owner = signed_in(user)
    return Q(storefront__owner=owner) if owner is not None else Q(pk__in=[])


def storefront_for_user(*, user: AnyUser) -> Storefront | None:
    owner = signed_in(user)
    if owner is None:
        return None
    return Storefront.objects.filter(owner=owner).first()


def storefront_get_for_user(*, user: AnyUser) -> Storefront:
    """The caller's storefront; without one every storefront action is ``storefront_required``."""
    storefront = storefront_for_user(user=user)
    if storefront is None:
        raise Conflict("storefront_required", _("Open your storefront first."))
    return storefront


def shop_bindings_for_user(*, user: AnyUser) -> QuerySet[ShopBinding]:
    return ShopBinding.objects.filter(_owned(user)).select_related("granted_by", "revoked_by")


def shop_binding_get_for_user(*, user: AnyUser, pk: int) -> ShopBinding:
    binding = shop_bindings_for_user(user=user).filter(pk=pk).first()
    if binding is None:
        raise NotFound("shop_binding_not_found", _("Shop binding not found."))
    return binding


def pid_bindings_for_user(*, user: AnyUser) -> QuerySet[PidBinding]:
    return PidBinding.objects.filter(_owned(user)).select_related("bound_by", "revoked_by")


def pid_binding_get_for_user(*, user: AnyUser, pk: int) -> PidBinding:
    binding = pid_bindings_for_user(user=user).filter(pk=pk).first()
    if binding is None:
        raise NotFound("pid_binding_not_found", _("PID binding not found."))
    return binding


def listings_for_user(*, user: AnyUser, status: str | None = None) -> QuerySet[Listing]:
    qs = Listing.objects.filter(_owned(user)).select_related("library_item")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-listed_at", "-id")


def listing_get_for_user(*, user: AnyUser, pk: int) -> Listing:
    listing = listings_for_user(user=user).filter(pk=pk).first()
    if listing is None:
        raise NotFound("listing_not_found", _("Listing not found."))
    return listing


def library_item_get(*, pk: int) -> LibraryItem:
    item = LibraryItem.objects.filter(pk=pk).first()
    if item is None:
        raise NotFound("library_item_not_found", _("Library item not found."))
    return item


# --- selection centre (选品中心) ----------------------------------------------------------------
def _with_listed_flag(qs: QuerySet[LibraryItem], *, user: AnyUser | None) -> QuerySet[LibraryItem]:
    """Annotate ``listed``: listed in the caller's storefront (a subquery, no extra query)."""
    owner = signed_in(user)
    if owner is None:
        return qs
    return qs.annotate(
        listed=Exists(
            Listing.objects.filter(
                library_item=OuterRef("pk"),
                storefront__owner=owner,
                status=Listing.Status.LISTED,
            )
        )
    )


def library_search(*, query: str = "", user: AnyUser | None = None) -> QuerySet[LibraryItem]:
    """Items whose normalised title or id contains every word of ``query`` (NFKC + casefold,
    so ``ＩＰＨＯＮＥ`` finds ``iPhone``), best sellers first. An empty query lists everything.
    At most 100 characters and 10 words (SPEC §9; 400 ``search_too_long``)."""
    check_search(query)
    qs = LibraryItem.objects.all()
    for term in search_terms(query):
        qs = qs.filter(search_text__contains=term)
    return _with_listed_flag(qs, user=user).order_by("-sales_7d", "id")


def library_recommended(*, user: AnyUser | None = None) -> QuerySet[LibraryItem]:
    """Items ops marked as recommended (推荐), best sellers first."""
    return _with_listed_flag(LibraryItem.objects.filter(recommended=True), user=user).order_by("-sales_7d", "id")


def library_hot(*, user: AnyUser | None = None, at: datetime | None = None) -> QuerySet[LibraryItem]:
    """Hot items (火热): by sales over the last 7 days, from figures not older than 7 days."""
    at = at or timezone.now()
    qs = LibraryItem.objects.filter(stats_at__gt=at - HOT_WINDOW, sales_7d__gt=0)
    return _with_listed_flag(qs, user=user).order_by("-sales_7d", "-clicks", "id")
