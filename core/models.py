from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Policy(models.Model):
    """One dated rule of the announcement (SPEC §1). Applied by the time of the event it judges."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    effective_from = models.DateTimeField(_("effective from"))
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["effective_from", "key"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return f"{self.title} ({self.key})"


class AuditEntry(models.Model):
    """Who changed what, when, from which status to which, and why. Written in the same
    transaction as the change it records; never edited."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index below: jobs write most rows with no actor
    )
    actor_label = models.CharField(_("actor label"), max_length=150)
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("target type"), max_length=60)
    target_id = models.CharField(_("target id"), max_length=64)
    from_status = models.CharField(_("from status"), max_length=40, blank=True)
    to_status = models.CharField(_("to status"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "at"]),
            models.Index(fields=["actor"], condition=models.Q(actor__isnull=False), name="audit_actor_idx"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}#{self.target_id}"


class OutboxMessage(models.Model):
    """An effect a write must trigger (an e-mail, a task to publish), written in the writer's
    transaction and delivered by the periodic drain (``core.outbox``): a broker outage delays it,
    never drops it."""

    topic = models.CharField(_("topic"), max_length=80)
    payload = models.JSONField(_("payload"), default=dict)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True)  # unique: see Meta
    created_at = models.DateTimeField(_("created at"))
    available_at = models.DateTimeField(_("available at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["available_at", "id"], condition=models.Q(delivered_at__isnull=True), name="core_outbox_pending"
            ),
            models.Index(fields=["delivered_at"], condition=models.Q(delivered_at__isnull=False), name="core_outbox_delivered"),
        ]
        # A constraint, not ``unique=True``, which on PostgreSQL adds a ``LIKE`` index no query uses.
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="uniq_outbox_dedupe_key")]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.topic}#{self.pk}"


class JobRun(models.Model):
    """One execution of a periodic job (``core.jobs``): when, how it ended, what it counted."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCESS = "success", _("succeeded")
        FAILURE = "failure", _("failed")

    name = models.CharField(_("job"), max_length=80)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["name", "-started_at"], name="core_jobrun_name_started"),
            models.Index(fields=["name", "outcome", "-finished_at"], name="core_jobrun_name_outcome"),
        ]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"


class ApiToken(models.Model):
    """An API token, stored hashed (SPEC §9). The key is shown once, when issued; only its
    SHA-256 digest and its first characters (to name it in lists) are kept. A key is 40 random
    hex characters (160 bits), so a plain hash is enough — no slow password hash is needed."""

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("platform service")
        OPS = "ops", _("ops")
        MERCHANT = "merchant", _("merchant")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    prefix = models.CharField(_("key prefix"), max_length=8, db_index=True)
    digest = models.CharField(_("key digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
