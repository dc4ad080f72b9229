from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReplyOption(models.Model):
    """A reply a merchant may choose for an urge task (SPEC §4), kept as data.

    An option is active at t when ``effective_from ≤ t`` and it is not retired at t. It is retired
    from the earlier of its own ``retired_at`` and, when ``retire_with_policy`` names a policy,
    that policy's effective instant (so moving or disabling the policy in the timeline moves the
    retirement of the options tied to it).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    needs_date = models.BooleanField(
        _("needs a promised ship-by time"),
        default=False,
        help_text=_("The merchant must give the time by which the order will ship."),
    )
    effective_from = models.DateTimeField(_("effective from"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retire_with_policy = models.CharField(
        _("retired by policy"),
        max_length=80,
        blank=True,
        help_text=_("Key of a policy from whose effective time the option can no longer be chosen."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("reply option")
        verbose_name_plural = _("reply options")

    def __str__(self) -> str:
        return self.name


class UrgeTask(models.Model):
    """An urge-shipment after-sales task (催发货售后任务): the merchant must reply by ``reply_due_at``.

    "Awaiting a reply" means status ``open`` or ``overdue``; an order has at most one such task
    (a partial unique constraint), and further urges of the order merge into it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPLIED = "replied", _("Replied")
        OVERDUE = "overdue", _("Overdue")
        REPLIED_LATE = "replied_late", _("Replied late")

    AWAITING_REPLY = (Status.OPEN, Status.OVERDUE)

    order = models.ForeignKey("shops.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="urge_tasks")
    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        on_delete=models.PROTECT,
        related_name="urge_tasks",
        db_index=False,  # every task index below starts with the shop
        help_text=_("The order's shop (kept on the task for scoping and metrics)."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), help_text=_("The time of the urge that opened the task."))
    reply_due_at = models.DateTimeField(_("reply due at"))
    urge_count = models.PositiveIntegerField(_("urge count"), default=1)

    reply_option = models.ForeignKey(
        ReplyOption,
        db_index=False,  # empty when the task opens: a partial index below
        verbose_name=_("reply option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_message = models.TextField(_("reply message"), blank=True)
    promised_ship_by = models.DateTimeField(_("promised ship-by time"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_index=False,  # empty when the task opens: a partial index below
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    overdue_at = models.DateTimeField(_("overdue at"), null=True, blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        db_index=False,  # empty when the task opens: a partial index below
        verbose_name=_("auto-filed complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaint_waived = models.BooleanField(
        _("complaint waived by policy"),
        default=False,
        help_text=_("Overdue, but no complaint was filed: a taobao shop under the policy in force at the due time."),
    )
    opened_mail_sent_at = models.DateTimeField(_("opening mail sent at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["reply_due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["open", "overdue"]),
                name="uniq_awaiting_task_per_order",
            ),
        ]
        indexes = [
            models.Index(fields=["reply_due_at"], condition=Q(status="open"), name="task_open_due_idx"),
            models.Index(fields=["shop", "status", "reply_due_at"], name="task_shop_status_due_idx"),
            # The merchant's ticket list: one shop's tasks, soonest due first (ties on the id).
            models.Index(fields=["shop", "reply_due_at", "id"], name="task_shop_due_idx"),
            models.Index(fields=["shop", "opened_at"], name="task_shop_opened_idx"),
            models.Index(fields=["shop", "replied_at"], condition=Q(replied_at__isnull=False), name="task_shop_replied_idx"),
            # ``order`` has its foreign key's own index; a second one on it only slowed every write.
            # Columns empty when a task opens are indexed where set only: opening a task (the urge
            # path) writes no entry for them; look-ups by a value (``= x``, ``IN``) still use them.
            models.Index(fields=["complaint"], condition=Q(complaint__isnull=False), name="task_complaint_idx"),
            models.Index(fields=["replied_by"], condition=Q(replied_by__isnull=False), name="task_replied_by_idx"),
            models.Index(fields=["reply_option"], condition=Q(reply_option__isnull=False), name="task_reply_option_idx"),
        ]
        verbose_name = _("urge task")
        verbose_name_plural = _("urge tasks")

    def __str__(self) -> str:
        return f"#{self.pk} {self.order_id}"


class Urge(models.Model):
    """One buyer urge pushed by the platform. ``event_id`` is unique: the same event twice is
    answered from ``answer`` (the answer given the first time) and changes nothing."""

    class Outcome(models.TextChoices):
        SUPPRESSED = "suppressed", _("Suppressed by a report")
        MERGED = "merged", _("Merged into the open task")
        TASK_CREATED = "task_created", _("Task created")

    event_id = models.CharField(_("event id"), max_length=80)  # unique: ``uniq_urge_event`` below
    order = models.ForeignKey("shops.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="urges")
    urged_at = models.DateTimeField(_("urged at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    task = models.ForeignKey(
        UrgeTask,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="urges",
    )
    report = models.ForeignKey(
        "reports.DeliveryReport",
        verbose_name=_("covering report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # set on suppressed urges only: a partial index below
    )
    answer = models.JSONField(_("answer"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["urged_at", "id"]
        # A constraint, not ``unique=True``: on PostgreSQL that also builds a second index for
        # ``LIKE`` on the column, written on every urge and read by nothing.
        constraints = [models.UniqueConstraint(fields=["event_id"], name="uniq_urge_event")]
        indexes = [models.Index(fields=["report"], condition=Q(report__isnull=False), name="urge_report_idx")]
        verbose_name = _("urge")
        verbose_name_plural = _("urges")

    def __str__(self) -> str:
        return self.event_id


class ServiceMetricDaily(models.Model):
    """One shop's urge-service figures for one Asia/Shanghai day (灯塔 求助率 inputs).

    Counted by the day each event happened: tasks opened (``opened_at``), replied on time /
    late (``replied_at``), not replied on time (``reply_due_at`` of tasks that went overdue),
    complaints (``filed_at``), paid orders (``paid_at``). Recomputed whole per day (upsert).
    """

    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        on_delete=models.CASCADE,
        related_name="service_metrics",
    )
    day = models.DateField(_("day"))
    tasks_opened = models.PositiveIntegerField(_("tasks opened"), default=0)
    replied_on_time = models.PositiveIntegerField(_("replied on time"), default=0)
    replied_late = models.PositiveIntegerField(_("replied late"), default=0)
    overdue = models.PositiveIntegerField(_("not replied on time"), default=0)
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    paid_orders = models.PositiveIntegerField(_("paid orders"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["shop_id", "day"]
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="uniq_service_metric_shop_day")]
        verbose_name = _("daily service metric")
        verbose_name_plural = _("daily service metrics")

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"


# Allowed status moves of an urge task. A reply after the due time always passes through
# ``overdue`` (so the overdue consequences apply whether or not the sweep got there first).
TASK_TRANSITIONS: dict[str, set[str]] = {
    UrgeTask.Status.OPEN: {UrgeTask.Status.REPLIED, UrgeTask.Status.OVERDUE},
    UrgeTask.Status.OVERDUE: {UrgeTask.Status.REPLIED_LATE},
    UrgeTask.Status.REPLIED: set(),
    UrgeTask.Status.REPLIED_LATE: set(),
}
