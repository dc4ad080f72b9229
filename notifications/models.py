from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One inbox entry of one user (SPEC §11): written in the transaction of the event that
    causes it, one row per member of the shop concerned. ``dedupe_key`` makes an event's
    notification idempotent per user (a re-run job or a repeated call writes nothing new)."""

    class Kind(models.TextChoices):
        TASK_OPENED = "task_opened", _("Task opened")
        TASK_DUE_SOON = "task_due_soon", _("Task due in 4 hours")
        TASK_OVERDUE = "task_overdue", _("Task overdue")
        COMPLAINT_FILED = "complaint_filed", _("Complaint filed")
        COMPLAINT_JUDGED = "complaint_judged", _("Complaint judged")
        APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
        REPORT_DECIDED = "report_decided", _("Report decided")
        SPOT_CHECK_RESULT = "spot_check_result", _("Spot-check result")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # every index below starts with the user
    )
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=150, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # NULL keys never conflict (both databases treat NULLs as distinct).
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="uniq_notification_user_dedupe"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_new_idx"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"
