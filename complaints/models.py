from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Complaint(models.Model):
    """A shipment complaint (投诉) filed by a buyer or, for an overdue urge task, by the platform
    on the buyer's behalf. Judged only from exemptions and reports (SPEC §5)."""

    class Reason(models.TextChoices):
        DELAYED_SHIPMENT = "delayed_shipment", _("Delayed shipment")
        CANNOT_SHIP = "cannot_ship", _("Cannot ship")

    class Source(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        PLATFORM = "platform", _("Platform (on the buyer's behalf)")

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("Pending review")
        JUDGED = "judged", _("Judged")

    class Verdict(models.TextChoices):
        MERCHANT_LIABLE = "merchant_liable", _("Merchant liable")
        EXEMPT = "exempt", _("Exempt")

    event_id = models.CharField(
        _("event id"),
        max_length=80,
        help_text=_("The platform's event id; for complaints filed by the urge-task sweep, 'ticket-overdue:<task id>'."),
    )
    order = models.ForeignKey(
        "shops.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="complaints",
        db_index=False,  # complaint_order_idx (order, filed_at) serves look-ups by order
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    message = models.TextField(_("message"), blank=True)
    evidence = models.JSONField(_("evidence links"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    filed_at = models.DateTimeField(_("filed at"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    basis_report = models.ForeignKey(
        "reports.DeliveryReport",
        verbose_name=_("basis report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # partial index below: most complaints have none
        related_name="exempted_complaints",
    )
    basis_exemption = models.ForeignKey(
        "reports.UnifiedExemption",
        verbose_name=_("basis exemption"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # partial index below: most complaints have none
        related_name="exempted_complaints",
    )
    penalty = models.DecimalField(_("penalty"), max_digits=10, decimal_places=2, null=True, blank=True)
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("judged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # partial index below: most complaints have none
        related_name="+",
        help_text=_("Empty when the system judged."),
    )
    judgment_reason = models.TextField(_("judgment reason"), blank=True)
    rereviewed_at = models.DateTimeField(
        _("re-reviewed at"),
        null=True,
        blank=True,
        help_text=_("When ops re-reviewed an exemption whose basis report was revoked afterwards."),
    )
    rereviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("re-reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # partial index below: most complaints have none
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        # Every complaint is written twice in bulk (filed by the sweep, judged by the job; the
        # judgment's UPDATE changes the status, so it writes an entry in every index): the indexes
        # are those reads use. A UniqueConstraint rather than ``unique=True`` on ``event_id``: no
        # second ``varchar_pattern_ops`` index (nothing searches event ids by prefix). The foreign
        # keys that are mostly empty are indexed only where set (``= X`` look-ups, PROTECT checks).
        constraints = [models.UniqueConstraint(fields=["event_id"], name="uniq_complaint_event_id")]
        indexes = [
            models.Index(fields=["status", "filed_at"], name="complaint_status_filed_idx"),
            models.Index(fields=["order", "filed_at"], name="complaint_order_idx"),
            *[
                models.Index(fields=[name], condition=models.Q(**{f"{name}__isnull": False}), name=f"complaint_{name}_idx")
                for name in ("basis_report", "basis_exemption", "judged_by", "rereviewed_by")
            ],
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"#{self.pk} {self.order_id}"

    @property
    def basis_label(self) -> str:
        if self.basis_exemption_id:
            return _("Unified exemption: %(exemption)s") % {"exemption": self.basis_exemption}
        if self.basis_report_id:
            return _("Delivery report: %(report)s") % {"report": self.basis_report}
        return ""


class ComplaintToReReview(Complaint):
    """Exempt complaints whose basis report has since been revoked: ops must look again
    (SPEC §3 revoke; nothing flips silently)."""

    class Meta:
        proxy = True
        verbose_name = _("complaint to re-review")
        verbose_name_plural = _("complaints to re-review (report revoked)")


class Appeal(models.Model):
    """A merchant's appeal (申诉) against a merchant-liable verdict (SPEC §5)."""

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("Pending review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="appeals")
    report_no = models.CharField(_("cited report number"), max_length=40, blank=True, help_text=_("As typed by the merchant."))
    report = models.ForeignKey(
        "reports.DeliveryReport",
        verbose_name=_("cited report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    statement = models.TextField(_("statement"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW)
    reason = models.TextField(_("decision reason"), blank=True)
    requires_prior_report = models.BooleanField(
        _("prior report required"),
        default=True,
        help_text=_("Whether appeals.require_prior_report was in force at the complaint's filing time."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("filed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=models.Q(status="pending_review"),
                name="uniq_open_appeal_per_complaint",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="appeal_status_created_idx")]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"#{self.pk} → {_('complaint')} #{self.complaint_id}"
