from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SpotCheckDay(models.Model):
    """One row per sampled day: the unique ``day`` makes the daily job idempotent — a re-run or a
    second run at the same time finds the day taken and samples nothing."""

    day = models.DateField(_("day"), unique=True, help_text=_("Reports auto-approved on this Asia/Shanghai day."))
    population = models.PositiveIntegerField(_("auto-approved reports"), default=0)
    sampled = models.PositiveIntegerField(_("sampled"), default=0)
    seed = models.CharField(_("seed"), max_length=40)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("spot-check day")
        verbose_name_plural = _("spot-check days")

    def __str__(self) -> str:
        return f"{self.day} ({self.sampled}/{self.population})"


class SpotCheck(models.Model):
    """An auto-approved report picked for a check (抽查): ops record ``confirmed`` or ``false``
    with a note; ``false`` revokes the report through the report service."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("spot check status", "Pending")
        CONFIRMED = "confirmed", pgettext_lazy("spot check status", "Confirmed")
        FALSE = "false", pgettext_lazy("spot check status", "False")

    sample_day = models.ForeignKey(SpotCheckDay, verbose_name=_("day"), on_delete=models.PROTECT, related_name="checks")
    report = models.OneToOneField(
        "reports.DeliveryReport", verbose_name=_("report"), on_delete=models.PROTECT, related_name="spot_check"
    )
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("result"), max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    report_revoked = models.BooleanField(_("report revoked"), default=False)
    created_at = models.DateTimeField(_("sampled at"), auto_now_add=True)

    class Meta:
        ordering = ["-sample_day__day", "pk"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        indexes = [models.Index(fields=["status", "created_at"], name="spotcheck_status_idx")]

    def __str__(self) -> str:
        return f"{self.report_id} · {self.get_status_display()}"
