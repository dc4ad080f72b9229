from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scenario(models.TextChoices):
    EPIDEMIC = "epidemic", _("Epidemic")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    MAJOR_EVENT = "major_event", _("Major event")
    OTHER_FORCE_MAJEURE = "other_force_majeure", _("Other force majeure")


class CommitmentLetter(models.Model):
    """A version of the commitment letter (承诺书) merchants tick before reporting."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("commitment letter")
        verbose_name_plural = _("commitment letters")

    def __str__(self) -> str:
        return self.version


class DeliveryReport(models.Model):
    """A merchant's delivery report (报备). Never deleted: withdraw and revoke are status moves.

    Whether it covers an order is decided from its timestamps (approved_at, withdrawn_at,
    revoked_at) in ``reports.coverage`` — the status is for people, the timestamps for rules.
    """

    class Scope(models.TextChoices):
        SHOP = "shop", _("Whole shop")
        PRODUCT = "product", _("Products")
        REGION = "region", _("Receiver regions")

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVOKED = "revoked", _("Revoked")

    report_no = models.CharField(_("report number"), max_length=24, unique=True)
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.PROTECT, related_name="reports")
    scenario = models.CharField(_("scenario"), max_length=24, choices=Scenario.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    products = models.ManyToManyField(
        "shops.Product",
        through="ReportProduct",
        blank=True,
        related_name="reports",
        verbose_name=_("products"),
    )
    regions = models.ManyToManyField(
        "shops.Region",
        through="ReportRegion",
        blank=True,
        related_name="+",
        verbose_name=_("receiver regions"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    promised_ship_by = models.DateTimeField(_("promised ship-by time"))
    note = models.TextField(_("note"), blank=True)

    commitment_letter = models.ForeignKey(
        CommitmentLetter,
        verbose_name=_("commitment letter"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    commitment_accepted_at = models.DateTimeField(_("commitment accepted at"))
    commitment_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commitment accepted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system decided."),
    )
    decided_by_system = models.BooleanField(_("decided by the system"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    request_id = models.CharField(
        _("client request id"),
        max_length=64,
        blank=True,
        help_text=_("Optional idempotency key sent by the client; unique per shop."),
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "request_id"],
                condition=~models.Q(request_id=""),
                name="uniq_report_request_id",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "status"], name="report_shop_status_idx"),
            # In the earliest-wins order (``reports.coverage.EARLIEST_REPORT_ORDER``): "the first
            # report of the shop that covers" reads the shop's reports in order and stops at the
            # first that covers — no sort per order or complaint (judgment: ~5 ms of a batch of 5,000)
            models.Index(fields=["shop", "approved_at", "id"], name="report_shop_approved_id_idx"),
        ]
        verbose_name = _("delivery report")
        verbose_name_plural = _("delivery reports")

    def __str__(self) -> str:
        return self.report_no


class ReportSequence(models.Model):
    """The last report number handed out on one Asia/Shanghai day (``BB`` + yyyymmdd + 5 digits).
    Incremented with a row-locking ``UPDATE`` so concurrent submissions never share a number."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("report number sequence")
        verbose_name_plural = _("report number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ReportProduct(models.Model):
    report = models.ForeignKey(DeliveryReport, on_delete=models.CASCADE, related_name="product_links")
    product = models.ForeignKey("shops.Product", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "product"], name="uniq_report_product")]
        indexes = [models.Index(fields=["product", "report"], name="reportproduct_product_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}→{self.product_id}"


class ReportRegion(models.Model):
    """A receiver region of a region-scope report. ``prefix`` (2, 4 or 6 digits) is what an
    order's region code must start with; see ``shops.regions``."""

    report = models.ForeignKey(DeliveryReport, on_delete=models.CASCADE, related_name="region_links")
    region = models.ForeignKey("shops.Region", on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "region"], name="uniq_report_region")]
        indexes = [models.Index(fields=["prefix", "report"], name="reportregion_prefix_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}→{self.region_id}"


class UnifiedExemption(models.Model):
    """A platform-wide exemption (统一免责) declared by ops or pushed by the platform."""

    class AppliesTo(models.TextChoices):
        RECEIVER = "receiver", _("Receiver region")
        SENDER = "sender", _("Sender region")
        EITHER = "either", _("Either region")

    class Source(models.TextChoices):
        OPS = "ops", _("Ops")
        PLATFORM = "platform", _("Platform")

    title = models.CharField(_("title"), max_length=200)
    scenario = models.CharField(_("scenario"), max_length=24, choices=Scenario.choices)
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices)
    regions = models.ManyToManyField(
        "shops.Region",
        through="ExemptionRegion",
        related_name="+",
        verbose_name=_("regions"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.OPS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            # A platform push is identified by (title, starts_at): a repeat is idempotent.
            models.UniqueConstraint(
                fields=["title", "starts_at"],
                condition=models.Q(source="platform"),
                name="uniq_platform_exemption",
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="exemption_window_idx")]
        verbose_name = _("unified exemption")
        verbose_name_plural = _("unified exemptions")

    def __str__(self) -> str:
        return self.title


class ExemptionRegion(models.Model):
    exemption = models.ForeignKey(UnifiedExemption, on_delete=models.CASCADE, related_name="region_links")
    region = models.ForeignKey("shops.Region", on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exemption", "region"], name="uniq_exemption_region")]
        indexes = [models.Index(fields=["prefix", "exemption"], name="exemptionregion_prefix_idx")]

    def __str__(self) -> str:
        return f"{self.exemption_id}→{self.region_id}"


class ReportAmendment(models.Model):
    """A later version (2, 3, …) of an approved report (SPEC §11): its window and scope in full,
    each a superset of the version before (``ends_at`` only moves later; products or regions are
    only added). Its own approval, by the same rule as a report; the report keeps its number.

    Coverage (``reports.coverage``) asks each approved version on its own, from that version's
    ``approved_at`` — so widening never reaches back before its approval, and an earlier
    version keeps covering what it covered."""

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    report = models.ForeignKey(DeliveryReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="amendments")
    version = models.PositiveSmallIntegerField(_("version"))
    scope = models.CharField(_("scope"), max_length=10, choices=DeliveryReport.Scope.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    promised_ship_by = models.DateTimeField(_("promised ship-by time"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by_system = models.BooleanField(_("decided by the system"), default=False)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["report", "version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="uniq_amendment_version"),
            # At most one amendment of a report waits for review at a time.
            models.UniqueConstraint(
                fields=["report"], condition=models.Q(status="pending_review"), name="uniq_amendment_pending"
            ),
        ]
        indexes = [models.Index(fields=["report", "status"], name="amendment_report_status_idx")]
        verbose_name = _("report amendment")
        verbose_name_plural = _("report amendments")

    def __str__(self) -> str:
        return f"{self.report.report_no} v{self.version}"


class AmendmentProduct(models.Model):
    amendment = models.ForeignKey(ReportAmendment, on_delete=models.CASCADE, related_name="product_links")
    product = models.ForeignKey("shops.Product", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["amendment", "product"], name="uniq_amendment_product")]
        indexes = [models.Index(fields=["product", "amendment"], name="amendmentproduct_product_idx")]

    def __str__(self) -> str:
        return f"{self.amendment_id}→{self.product_id}"


class AmendmentRegion(models.Model):
    amendment = models.ForeignKey(ReportAmendment, on_delete=models.CASCADE, related_name="region_links")
    region = models.ForeignKey("shops.Region", on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["amendment", "region"], name="uniq_amendment_region")]
        indexes = [models.Index(fields=["prefix", "amendment"], name="amendmentregion_prefix_idx")]

    def __str__(self) -> str:
        return f"{self.amendment_id}→{self.region_id}"
