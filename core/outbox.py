"""The transactional outbox (SPEC §10 "faults lose nothing").

A write that must trigger an effect outside its own rows (an e-mail, a Celery task to publish)
calls ``outbox_enqueue`` inside its transaction: the row commits or rolls back with the write, so
nothing depends on the broker being up at commit time. The periodic job ``core.outbox_drain``
(beat, every few seconds) hands each pending row to the handler registered for its topic, one
row per transaction:

- the row is locked with ``SKIP LOCKED`` (two drains never take the same row), the handler runs
  and the row is marked delivered **in the same transaction**, so the handler's database effects
  and "delivered" commit together: exactly once;
- a handler that raises rolls its effects back; the row stays pending with ``attempts`` + 1, the
  error, and a back-off (``available_at``) before the next try;
- an e-mail handler cannot take part in the transaction: it sends, then the row commits. If the
  process dies between the two the mail is sent again on the next drain, with the same
  ``Message-ID`` (``<outbox-PK@…>``) so mail systems drop the repeat — idempotent by row.

Delivered rows are pruned after ``OUTBOX_KEEP_DELIVERED``.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

Payload = dict[str, Any]
Handler = Callable[[Payload, OutboxMessage], None]
_HANDLERS: dict[str, Handler] = {}

DRAIN_BATCH_SIZE = 200
MAX_BACKOFF = timedelta(minutes=30)


def outbox_handler(topic: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers rows of ``topic`` (import time, once per topic)."""

    def register(func: Handler) -> Handler:
        if _HANDLERS.get(topic, func) is not func:
            raise ValueError(f"outbox topic {topic!r} already has a handler")
        _HANDLERS[topic] = func
        return func

    return register


def outbox_enqueue(*, topic: str, payload: Payload, dedupe_key: str | None = None) -> None:
    """Record one effect to deliver after the caller's transaction commits.

    ``dedupe_key``: a second row with the same key is silently not written (ever, also after the
    first was delivered), so a retried write cannot trigger its effect twice."""
    outbox_enqueue_many(topic=topic, items=[(payload, dedupe_key)])


def outbox_enqueue_many(*, topic: str, items: Iterable[tuple[Payload, str | None]]) -> None:
    """``outbox_enqueue`` for a batch (one INSERT): ``items`` are ``(payload, dedupe_key)``."""
    rows = outbox_messages(topic=topic, items=items)
    if rows:
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)


def outbox_messages(*, topic: str, items: Iterable[tuple[Payload, str | None]]) -> list[OutboxMessage]:
    """The unsaved rows ``outbox_enqueue_many`` writes, for a caller that writes them with its
    other rows in one statement (``ON CONFLICT DO NOTHING``, as here). The topic must have a
    handler."""
    if topic not in _HANDLERS:
        _load_handlers()
        if topic not in _HANDLERS:
            raise ValueError(f"no outbox handler for topic {topic!r}")
    now = timezone.now()
    return [
        OutboxMessage(topic=topic, payload=payload, dedupe_key=key, created_at=now, available_at=now) for payload, key in items
    ]


@dataclass
class DrainResult:
    delivered: int = 0
    failed: int = 0
    pruned: int = 0

    def as_counts(self) -> dict[str, int]:
        return {"delivered": self.delivered, "failed": self.failed, "pruned": self.pruned}


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=10 * 2 ** min(attempts, 10)), MAX_BACKOFF)


def _deliver_one(pk: int, *, now: datetime) -> bool | None:
    """Deliver row ``pk`` in its own transaction. None: someone else has it (or had it)."""
    failure: Exception | None = None
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=pk, delivered_at__isnull=True).first()
        if row is None:
            return None
        try:
            with transaction.atomic():  # the handler's effects roll back alone if it fails
                _HANDLERS[row.topic](row.payload, row)
        except Exception as exc:  # noqa: BLE001 - every failure is kept on the row and retried
            failure = exc
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.available_at = now + _backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "available_at"])
        else:
            row.delivered_at = timezone.now()
            row.attempts += 1
            row.save(update_fields=["delivered_at", "attempts"])
    if failure is not None:
        logger.warning("outbox row %s (%s) failed: %s", pk, row.topic, failure)
        return False
    return True


def outbox_drain(*, now: datetime | None = None, batch_size: int = DRAIN_BATCH_SIZE, limit: int | None = None) -> DrainResult:
    """Deliver every pending row that is due, oldest first; safe to run on many workers at once."""
    _load_handlers()
    now = now or timezone.now()
    result = DrainResult()
    last_pk = 0
    while limit is None or result.delivered + result.failed < limit:
        pks = list(
            OutboxMessage.objects.filter(delivered_at__isnull=True, available_at__lte=now, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        for pk in pks:
            done = _deliver_one(pk, now=now)
            if done is True:
                result.delivered += 1
            elif done is False:
                result.failed += 1
        if len(pks) < batch_size:
            break
        last_pk = pks[-1]
    keep = getattr(settings, "OUTBOX_KEEP_DELIVERED", timedelta(days=7))
    result.pruned, _ = OutboxMessage.objects.filter(delivered_at__lt=now - keep).delete()
    return result


def _load_handlers() -> None:
    """Handlers live beside the services that enqueue them; importing those registers them."""
    from django.apps import apps

    for config in apps.get_app_configs():
        module = f"{config.name}.outbox_handlers"
        try:
            __import__(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


# --- Generic topics -------------------------------------------------------------------------


def mail_payload(*, subject: str, body: str, to: list[str]) -> Payload:
    return {"subject": subject, "body": body, "to": list(to)}


@outbox_handler("mail")
def deliver_mail(payload: Payload, row: OutboxMessage) -> None:
    """Send one e-mail; the Message-ID names the row, so a repeat after a crash is recognisable."""
    if not payload.get("to"):
        return
    domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "backoffice.local")
    message = EmailMessage(
        subject=payload["subject"], body=payload["body"], to=payload["to"], headers={"Message-ID": f"<outbox-{row.pk}@{domain}>"}
    )
    get_connection(fail_silently=False).send_messages([message])


@outbox_handler("celery")
def publish_task(payload: Payload, row: OutboxMessage) -> None:
    """Publish a Celery signature (or canvas) stored as its dict form; a broker error retries later."""
    from celery import signature

    from backoffice.celery import app

    signature(payload["signature"], app=app).apply_async(retry=False)


def outbox_enqueue_task(sig: Any, *, dedupe_key: str | None = None) -> None:
    """Publish a Celery signature/canvas once the caller's transaction commits, via the outbox."""
    outbox_enqueue(topic="celery", payload={"signature": dict(sig)}, dedupe_key=dedupe_key)


def nudge_after_commit(task: Any, *args: Any) -> None:
    """Best-effort: publish ``task`` after commit to act sooner than its periodic job would. A
    broker error is logged, never raised to the writer (the periodic job derives the work again)."""

    def publish() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except Exception as exc:  # noqa: BLE001 - the broker being down must not fail a committed write
            logger.warning("could not publish %s (the periodic job will do it): %s", task.name, exc)

    transaction.on_commit(publish)
