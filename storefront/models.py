"""Channel storefront (SPEC §7): a creator's storefront, its bindings, the content library and
its listings. Nothing here is deleted: unbinding, revoking and removing are status moves with
who/when recorded (and an audit row, written by the services)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ShopPlatform(models.TextChoices):
    """Third-party platforms whose shops a storefront can bind (微博小店: 绑定店铺)."""

    TAOBAO = "taobao", _("Taobao")
    JD = "jd", _("JD")
    YOUZAN = "youzan", _("Youzan")
    JUMEI = "jumei", _("Jumei")
    YMATOU = "ymatou", _("Ymatou")
    CTRIP = "ctrip", _("Ctrip")


class ItemPlatform(models.TextChoices):
    """Platforms whose items can be published; Tmall items are Taobao-affiliate items."""

    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    JD = "jd", _("JD")
    YOUZAN = "youzan", _("Youzan")
    JUMEI = "jumei", _("Jumei")
    YMATOU = "ymatou", _("Ymatou")
    CTRIP = "ctrip", _("Ctrip")


class BindingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class Storefront(models.Model):
    """A creator's storefront (小店). One per user; the owner is the tenant boundary."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="storefront",
    )
    name = models.CharField(_("name"), max_length=50)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("storefront")
        verbose_name_plural = _("storefronts")

    def __str__(self) -> str:
        return self.name


class ShopBinding(models.Model):
    """An authorisation grant of a third-party shop to a storefront (授权第三方店铺).

    A shop is bound to at most one storefront at a time. The grant may expire; an expired or
    revoked binding stays as history and a new grant makes a new row."""

    storefront = models.ForeignKey(
        Storefront,
        verbose_name=_("storefront"),
        on_delete=models.PROTECT,
        related_name="shop_bindings",
    )
    platform = models.CharField(_("platform"), max_length=10, choices=ShopPlatform.choices)
    external_shop_id = models.CharField(_("external shop id"), max_length=64)
    external_shop_name = models.CharField(_("external shop name"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=BindingStatus.choices, default=BindingStatus.ACTIVE)
    granted_at = models.DateTimeField(_("granted at"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("revoke reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_shop_id"],
                condition=Q(status="active"),
                name="uniq_active_shop_binding",
            ),
        ]
        indexes = [models.Index(fields=["storefront", "platform", "status"], name="shopbinding_sf_platform_idx")]
        verbose_name = _("shop binding")
        verbose_name_plural = _("shop bindings")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.external_shop_name} ({self.external_shop_id})"

    def is_usable(self, at) -> bool:
        """Active, not revoked and not expired at ``at``."""
        return self.status == BindingStatus.ACTIVE and (self.expires_at is None or self.expires_at > at)


class PidBinding(models.Model):
    """A Taobao affiliate PID (淘宝联盟 PID, ``mm_<member>_<site>_<adzone>``). One active per
    storefront; binding another revokes the previous one (history kept)."""

    storefront = models.ForeignKey(
        Storefront,
        verbose_name=_("storefront"),
        on_delete=models.PROTECT,
        related_name="pid_bindings",
    )
    pid = models.CharField(_("PID"), max_length=64)
    member_id = models.CharField(_("member id"), max_length=20)
    site_id = models.CharField(_("site id"), max_length=20)
    adzone_id = models.CharField(_("adzone id"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=BindingStatus.choices, default=BindingStatus.ACTIVE)
    bound_at = models.DateTimeField(_("bound at"))
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bound by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-bound_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["storefront"], condition=Q(status="active"), name="uniq_active_pid"),
        ]
        verbose_name = _("PID binding")
        verbose_name_plural = _("PID bindings")

    def __str__(self) -> str:
        return self.pid


class LibraryItem(models.Model):
    """A product of the content library (内容商品库), pushed by the platform.

    ``search_text`` is the NFKC + casefold form of the title and item id (``storefront.text``),
    so search is case- and width-insensitive with a plain ``LIKE``. ``sales_7d`` is the
    platform's 7-day sales figure as of ``stats_at``; ``version`` counts content changes."""

    platform = models.CharField(_("platform"), max_length=10, choices=ItemPlatform.choices)
    item_id = models.CharField(_("item id"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    sales_7d = models.PositiveIntegerField(_("sales (7 days)"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    stats_at = models.DateTimeField(_("statistics as of"))
    recommended = models.BooleanField(_("recommended"), default=False)
    search_text = models.CharField(_("search text"), max_length=300, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-sales_7d", "id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "item_id"], name="uniq_library_item"),
        ]
        indexes = [
            models.Index(fields=["-sales_7d", "id"], name="library_hot_idx"),
            models.Index(fields=["-sales_7d", "id"], condition=Q(recommended=True), name="library_recommended_idx"),
        ]
        verbose_name = _("library item")
        verbose_name_plural = _("content library")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_platform_display()} {self.item_id})"


class ShareToken(models.Model):
    """A share token (淘口令) and the library item it resolves to. Codes are case-sensitive."""

    code = models.CharField(_("token"), max_length=32, unique=True)
    library_item = models.ForeignKey(
        LibraryItem,
        verbose_name=_("library item"),
        on_delete=models.PROTECT,
        related_name="share_tokens",
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share token")
        verbose_name_plural = _("share tokens")

    def __str__(self) -> str:
        return self.code


class Listing(models.Model):
    """A library item published in a storefront. One row per (storefront, item): removing keeps
    the row (``removed``), re-adding lists it again; each move has an audit row."""

    class Status(models.TextChoices):
        LISTED = "listed", _("Listed")
        REMOVED = "removed", _("Removed")

    storefront = models.ForeignKey(
        Storefront,
        verbose_name=_("storefront"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    library_item = models.ForeignKey(
        LibraryItem,
        verbose_name=_("library item"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.LISTED)
    first_listed_at = models.DateTimeField(_("first listed at"))
    listed_at = models.DateTimeField(_("listed at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    times_listed = models.PositiveIntegerField(_("times listed"), default=1)

    class Meta:
        ordering = ["-listed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["storefront", "library_item"], name="uniq_listing_per_item"),
        ]
        indexes = [models.Index(fields=["storefront", "status", "-listed_at"], name="listing_sf_status_idx")]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")

    def __str__(self) -> str:
        return f"{self.storefront} · {self.library_item}"
