"""Creator portal pages (微博小店-style): my storefront, bind shops, bind PID, add a product,
the selection centre and product management. Each write calls the same service as the API;
a refused rule shows its message on the page it came from."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound
from storefront import selectors, services
from storefront.models import BindingStatus, Listing, ShopPlatform

PAGE_SIZE = 20
SELECTION_TABS = ("search", "recommended", "hot")


def storefront_required(view):
    """Pass the caller's storefront; without one, send them to open it first."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        storefront = selectors.storefront_for_user(user=request.user)
        if storefront is None:
            messages.info(request, _("Open your storefront first."))
            return redirect("storefront:portal-home")
        return view(request, storefront, *args, **kwargs)

    return wrapper


def _own(getter, **kwargs):
    """A tenant-scoped selector's object, or 404 (another creator's object is none of ours)."""
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _tell(request, act, success: str) -> None:
    """Run a service for the caller and say how it went: its refusal as an error message, else
    ``success``."""
    try:
        act()
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, success)


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
def home(request):
    """我的小店: open the storefront, then see where each step stands."""
    storefront = selectors.storefront_for_user(user=request.user)
    if request.method == "POST" and storefront is None:
        name = request.POST.get("name", "").strip()
        if not name or len(name) > 50:
            messages.error(request, _("Give your storefront a name of 1 to 50 characters."))
        else:
            services.storefront_create(actor=request.user, name=name)
            messages.success(request, _("Your storefront is open."))
        return redirect("storefront:portal-home")
    context = {"storefront": storefront}
    if storefront is not None:
        context |= {
            "active_pid": selectors.pid_bindings_for_user(user=request.user).filter(status=BindingStatus.ACTIVE).first(),
            "active_shops": selectors.shop_bindings_for_user(user=request.user).filter(status=BindingStatus.ACTIVE),
            "now": timezone.now(),
            "listed_count": selectors.listings_for_user(user=request.user, status=Listing.Status.LISTED).count(),
        }
    return render(request, "storefront/home.html", context)


@storefront_required
def shops(request, storefront):
    """绑定店铺: authorise third-party shops, see grants, revoke them."""
    if request.method == "POST":
        platform = request.POST.get("platform", "")
        shop_id = request.POST.get("external_shop_id", "").strip()
        shop_name = request.POST.get("external_shop_name", "").strip()
        if platform not in ShopPlatform.values or not shop_id or not shop_name or len(shop_id) > 64 or len(shop_name) > 100:
            messages.error(request, _("Choose a platform and enter the shop id and name."))
        else:
            try:
                result = services.shop_bind(
                    actor=request.user,
                    storefront=storefront,
                    platform=platform,
                    external_shop_id=shop_id,
                    external_shop_name=shop_name,
                )
            except DomainError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, _("Shop authorised.") if result.created else _("This shop is already bound."))
        return redirect("storefront:portal-shops")
    return render(
        request,
        "storefront/shops.html",
        {
            "storefront": storefront,
            "platforms": ShopPlatform.choices,
            "bindings": _page(request, selectors.shop_bindings_for_user(user=request.user)),
        },
    )


@require_POST
@storefront_required
def shop_revoke(request, storefront, pk: int):
    binding = _own(selectors.shop_binding_get_for_user, user=request.user, pk=pk)
    reason = request.POST.get("reason", "")[:200]
    _tell(request, lambda: services.shop_unbind(actor=request.user, binding=binding, reason=reason), _("The shop is unbound."))
    return redirect("storefront:portal-shops")


@storefront_required
def pid(request, storefront):
    """绑定淘宝联盟 PID."""
    if request.method == "POST":
        try:
            result = services.pid_bind(actor=request.user, storefront=storefront, pid=request.POST.get("pid", ""))
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("PID bound.") if result.created else _("This PID is already bound."))
        return redirect("storefront:portal-pid")
    bindings = selectors.pid_bindings_for_user(user=request.user)
    return render(
        request,
        "storefront/pid.html",
        {
            "storefront": storefront,
            "active": bindings.filter(status=BindingStatus.ACTIVE).first(),
            "history": bindings.filter(status=BindingStatus.REVOKED)[:20],
        },
    )


@require_POST
@storefront_required
def pid_revoke(request, storefront, pk: int):
    binding = _own(selectors.pid_binding_get_for_user, user=request.user, pk=pk)
    _tell(request, lambda: services.pid_unbind(actor=request.user, binding=binding), _("The PID is unbound."))
    return redirect("storefront:portal-pid")


@storefront_required
def add(request, storefront):
    """添加商品: paste a share token (淘口令) or an item link."""
    text = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            result = services.listing_add(actor=request.user, storefront=storefront, text=text)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return render(
                request, "storefront/add.html", {"storefront": storefront, "text": text, "error_code": exc.code}, status=400
            )
        title = result.listing.library_item.title
        if result.relisted:
            messages.success(request, _("Listed again: %(title)s") % {"title": title})
        else:
            messages.success(request, _("Added: %(title)s") % {"title": title})
        return redirect("storefront:portal-add")
    return render(request, "storefront/add.html", {"storefront": storefront, "text": text})


@storefront_required
def selection(request, storefront):
    """选品中心: search the library, or browse recommended and hot items; add in one click."""
    tab = request.GET.get("tab", "search")
    if tab not in SELECTION_TABS:
        tab = "search"
    query = request.GET.get("q", "")
    if tab == "recommended":
        items = selectors.library_recommended(user=request.user)
    elif tab == "hot":
        items = selectors.library_hot(user=request.user)
    else:
        try:
            items = selectors.library_search(query=query, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.detail)
            query, items = query[:100], selectors.library_search(query="", user=request.user).none()
    return render(
        request,
        "storefront/selection.html",
        {
            "storefront": storefront,
            "tab": tab,
            "q": query,
            "items": _page(request, items),
            "pager_query": urlencode({"tab": tab, "q": query}),
        },
    )


@require_POST
@storefront_required
def selection_add(request, storefront):
    try:
        item = selectors.library_item_get(pk=int(request.POST.get("library_item", "0") or 0))
        result = services.listing_add_from_library(actor=request.user, storefront=storefront, library_item=item)
    except ValueError:
        messages.error(request, _("Library item not found."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Added: %(title)s") % {"title": result.listing.library_item.title})
    return _back(request, "storefront:portal-selection")


@storefront_required
def listings(request, storefront):
    """商品管理: the storefront's products; remove and re-add."""
    status = request.GET.get("status", "")
    if status not in Listing.Status.values:
        status = ""
    return render(
        request,
        "storefront/listings.html",
        {
            "storefront": storefront,
            "status": status,
            "statuses": Listing.Status.choices,
            "pager_query": urlencode({"status": status}) if status else "",
            "listings": _page(request, selectors.listings_for_user(user=request.user, status=status or None)),
        },
    )


@require_POST
@storefront_required
def listing_remove(request, storefront, pk: int):
    listing = _own(selectors.listing_get_for_user, user=request.user, pk=pk)
    _tell(request, lambda: services.listing_remove(actor=request.user, listing=listing), _("Removed from the storefront."))
    return _back(request, "storefront:portal-listings")


@require_POST
@storefront_required
def listing_readd(request, storefront, pk: int):
    listing = _own(selectors.listing_get_for_user, user=request.user, pk=pk)
    _tell(request, lambda: services.listing_readd(actor=request.user, listing=listing), _("Listed again."))
    return _back(request, "storefront:portal-listings")
