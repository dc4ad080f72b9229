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
        _("event id"), max_length=80, unique=True,
        help_text=_("The platform's event id; for complaints filed by the urge-task sweep, 'ticket-overdue:<task id>'."),
    )
    order = models.ForeignKey("shops.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="complaints")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    message = models.TextField(_("message"), blank=True)
    evidence = models.JSONField(_("evidence links"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    filed_at = models.DateTimeField(_("filed at"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    basis_report = models.ForeignKey(
        "reports.DeliveryReport", verbose_name=_("basis report"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="exempted_complaints",
    )
    basis_exemption = models.ForeignKey(
        "reports.UnifiedExemption", verbose_name=_("basis exemption"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="exempted_complaints",
    )
    penalty = models.DecimalField(_("penalty"), max_digits=10, decimal_places=2, null=True, blank=True)
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judged by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Empty when the system judged."),
    )
    judgment_reason = models.TextField(_("judgment reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "filed_at"], name="complaint_status_filed_idx"),
            models.Index(fields=["order", "filed_at"], name="complaint_order_idx"),
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"#{self.pk} {self.order_id}"
