"""48h pickup badge (SPEC §6): one run per day D, per-product stats per run, current badges.

* ``BadgeRun`` — one row per day D (unique), the lock row for that day and its latest counts.
* ``ProductPickupStat`` — the published per-product aggregate of a run (replaced atomically).
* ``PickupStatStage`` — per-range results of a sharded run (a chord) before they are published.
* ``CurrentBadges`` — one row naming the run whose badges products carry now (the latest
  published day). A product's badge is its stats row of that run, so swapping the badges is one
  UPDATE of that row in the publishing transaction, and the product list reads them with a join.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WithheldReason(models.TextChoices):
    """Why a product whose rate qualifies does not get the badge: the scope of the report."""

    NONE = "", _("Not withheld")
    SHOP = "shop", _("Whole-shop report in force")
    PRODUCT = "product", _("Product report in force")
    REGION = "region", _("Region report in force (whole shop)")


class BadgeRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        SKIPPED = "skipped", _("Skipped (policy not in force)")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule (02:00)")
        COMMAND = "command", _("Command")
        ADMIN = "admin", _("Ops re-run")
        DEMO = "demo", _("Demo data")

    class Mode(models.TextChoices):
        SINGLE = "single", _("One worker")
        SHARDED = "sharded", _("Split by product range")

    day = models.DateField(_("day D"), unique=True, help_text=_("Orders paid on this Asia/Shanghai day."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempt = models.PositiveIntegerField(_("attempt"), default=0, help_text=_("How many times this day was started."))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.SINGLE)
    shards = models.PositiveIntegerField(_("shards"), default=1)
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the schedule or a command started it."),
    )
    policy_at = models.DateTimeField(
        _("policy judged at"),
        null=True,
        blank=True,
        help_text=_("D 00:00 Asia/Shanghai: the instant the policy is judged at."),
    )
    started_at = models.DateTimeField(
        _("started at"), null=True, blank=True, help_text=_("Also the instant reports must be in force at.")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    orders_count = models.PositiveIntegerField(_("orders"), default=0)
    products_count = models.PositiveIntegerField(_("products"), default=0)
    badged_count = models.PositiveIntegerField(_("badged"), default=0)
    withheld_count = models.PositiveIntegerField(_("withheld"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("badge run")
        verbose_name_plural = _("badge runs")

    def __str__(self) -> str:
        return f"{self.day} ({self.get_status_display()})"


class ProductPickupStat(models.Model):
    """A product's 48h pickup figures for day D, as published by the run of D.

    Written only by ``INSERT … SELECT`` (inside the transaction that holds the run row's lock)
    from validated orders, ~20k rows per run: the run, product and shop references carry no
    database constraint (deletes cascade in Django) and no index of their own. The only index
    besides the primary key is the unique ``(run, product, attempt)`` — every read goes by run
    and product: the current badges (the current run), a run's stats (admin, re-run) and the
    14-day chart (the runs of those days × the page's products). Each index is ~20% of the bulk
    insert, and a product-major index would be written at 20k scattered places every day.

    ``attempt`` is the run's attempt that published the row. A re-run replaces D's rows with the
    new attempt's in one transaction, so a run only ever has one attempt's rows.

    On PostgreSQL the table is partitioned by run (migration 0003; ``badges.computation``): each
    run's rows are a table of their own, filled without indexes, indexed once, attached; a
    re-run drops the old one. The primary key there is ``(id, run_id)`` (``id`` comes from one
    sequence and stays unique); the report reference has no database constraint (it would be
    checked again on every attach; reports are never deleted)."""

    run = models.ForeignKey(
        BadgeRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="stats", db_index=False, db_constraint=False
    )
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    day = models.DateField(_("day D"))
    product = models.ForeignKey(
        "shops.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="pickup_stats",
        db_index=False,
        db_constraint=False,
    )
    shop = models.ForeignKey(
        "shops.Shop", verbose_name=_("shop"), on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    paid_orders = models.PositiveIntegerField(_("paid orders"))
    picked_up_48h = models.PositiveIntegerField(_("picked up within 48h"))
    rate = models.DecimalField(_("48h pickup rate"), max_digits=5, decimal_places=4)
    meets_threshold = models.BooleanField(_("rate above threshold"))
    badged = models.BooleanField(_("badged"), help_text=_("Fast-ship badge: rate above the threshold and not withheld."))
    ranking_boost = models.DecimalField(_("ranking boost"), max_digits=4, decimal_places=2)
    withheld_reason = models.CharField(
        _("withheld because"), max_length=10, choices=WithheldReason.choices, blank=True, default=""
    )
    withheld_report = models.ForeignKey(
        "reports.DeliveryReport",
        verbose_name=_("withheld by report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["product_id", "-day"]
        constraints = [models.UniqueConstraint(fields=["run", "product", "attempt"], name="uniq_pickupstat_run_product_attempt")]
        verbose_name = _("product pickup stat")
        verbose_name_plural = _("product pickup stats")

    def __str__(self) -> str:
        return f"{self.day} {self.product_id}: {self.rate}"

    @property
    def rate_percent(self) -> Decimal:
        return (self.rate * 100).quantize(Decimal("0.1"))


class PickupStatStage(models.Model):
    """A product range's aggregate written by one chord subtask of run ``run``/``attempt``;
    the publish step copies the rows of the current attempt into ``ProductPickupStat``."""

    run = models.ForeignKey(BadgeRun, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    attempt = models.PositiveIntegerField()
    product = models.ForeignKey("shops.Product", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    paid_orders = models.PositiveIntegerField()
    picked_up_48h = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "attempt", "product"], name="uniq_pickupstage_run_attempt_product"),
        ]
        verbose_name = _("staged pickup stat")
        verbose_name_plural = _("staged pickup stats")

    def __str__(self) -> str:
        return f"{self.run_id}#{self.attempt} {self.product_id}"


class CurrentBadges(models.Model):
    """The single row naming the published run whose badges products carry now. Its row lock
    also serialises publishing (runs of different days)."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    run = models.OneToOneField(
        BadgeRun, verbose_name=_("run"), null=True, blank=True, on_delete=models.SET_NULL, related_name="current_badges"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("current badges")
        verbose_name_plural = _("current badges")

    def __str__(self) -> str:
        return f"{self.run}"
