"""The one notification service (SPEC §11): every event a merchant hears about — task opened,
4 hours left, task overdue, complaint filed and judged, appeal decided, report decided,
spot-check result — becomes one inbox row per member of the shop concerned, written in the
transaction of the event itself (no worker is needed to see it).

Two forms side by side, like the coverage rule:

- ``notify(shop=…)`` for one event (a decision service);
- ``notify_members(members=…)`` for many at once (the sweep, the judgment job, the reminders):
  one ``INSERT … SELECT`` over a ``ShopMembership`` queryset joined to the changed rows, with
  title, body, link and key as SQL expressions over those rows — no Python loop over events.

Both are idempotent by ``dedupe_key`` (unique per user: ``ON CONFLICT DO NOTHING``).
Texts are rendered in the site language (Chinese) whoever triggers the event: wrap the
building of ``title``/``body`` in ``inbox_language()``.

E-mail: the service also enqueues the mail of what it wrote — one ``core.outbox`` row
(``notifications.mail``, the new rows' ids) in the same transaction; the drain sends one message
per event to its members' addresses. Kinds outside ``NOTIFICATION_MAIL_KINDS`` are inbox-only:
the "task opened" and "4 hours left" mails keep the claimed, audited path of
``tickets.services.notifications`` (their own outbox rows), so nobody gets them twice.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import CharField, Expression, F, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation

from core.outbox import outbox_enqueue
from core.setbased import CompiledQuery, insert_select, insert_select_source, insert_select_sql
from notifications.models import Notification
from shops.models import Shop, ShopMembership

Kind = Notification.Kind
TITLE_MAX = Notification._meta.get_field("title").max_length
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_URL_SAMPLE = 918273645  # stands for a placeholder while reversing a URL pattern
MAIL_TOPIC = "notifications.mail"
#: A notification text: a string, or an expression over the member rows (``text_sql``).
TextPart = str | Combinable


@contextmanager
def inbox_language() -> Iterator[None]:
    """Render notification texts in the site language (zh-hans), not the actor's."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def text_sql(template: str, **parts: Any) -> Expression:
    """``template`` (already translated, with ``%(name)s`` placeholders) as one SQL text
    expression: its literal pieces and each named part (a field name or an expression over the
    rows) cast to text, concatenated."""
    pieces = _PLACEHOLDER.split(template)
    exprs: list[Expression] = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            if piece:
                exprs.append(Value(piece, output_field=CharField()))
        else:
            part = parts[piece]
            exprs.append(Cast(F(part) if isinstance(part, str) else part, CharField()))
    if not exprs:
        return Value("", output_field=CharField())
    if len(exprs) == 1:
        return exprs[0]
    return Concat(*exprs, output_field=CharField())


def url_template(viewname: str, **placeholders: str) -> str:
    """A URL pattern as a ``text_sql`` template: ``url_template("tickets:portal-detail", pk="id")``
    → ``"/tickets/%(id)s/"``."""
    samples = {name: _URL_SAMPLE + i for i, name in enumerate(placeholders)}
    url = reverse(viewname, kwargs=samples)
    for name, sample in samples.items():
        url = url.replace(str(sample), f"%({placeholders[name]})s")
    return url


def _plain(value: object) -> str | None:
    return None if value is None else str(value)


def notify(*, shop: Shop, kind: str, title: str, body: str, link: str = "", dedupe_key: str | None = None) -> int:
    """One inbox row per active member of ``shop`` (one ``INSERT … SELECT``), in the caller's
    transaction. Repeating a ``dedupe_key`` writes nothing. Returns the rows written."""
    return notify_members(
        members=ShopMembership.objects.filter(shop=shop),
        kind=kind,
        title=str(title)[:TITLE_MAX],
        body=str(body),
        link=str(link),
        dedupe_key=_plain(dedupe_key),
    )


def notify_statement(
    *, shop: Shop | int, kind: str, title: str, body: str, link: str = "", dedupe_key: str | None = None
) -> tuple[str, list[Any]]:
    """``notify``'s inbox insert as a statement not yet run, for a caller that sends it with its
    own writes in one round trip (``core.setbased.chain_statements``). Only for inbox-only kinds:
    a kind in ``NOTIFICATION_MAIL_KINDS`` also needs the mail row of the new ids — use ``notify``."""
    if kind in settings.NOTIFICATION_MAIL_KINDS:
        raise ValueError(f"{kind!r} is mailed: use notify()")
    columns, values = _columns_values(
        kind=kind, title=str(title)[:TITLE_MAX], body=str(body), link=str(link), dedupe_key=_plain(dedupe_key)
    )
    assert columns == _MEMBER_COLUMNS, "plain texts only: the compiled rows carry the member columns alone"
    return insert_select_sql(
        Notification,
        ShopMembership.objects.all(),  # the rows: ``compiled_source``
        columns=columns,
        values=values,
        ignore_conflicts_on=("user", "dedupe_key"),
        compiled_source=_SHOP_MEMBERS.sql(shop=shop if isinstance(shop, int) else shop.pk),
    )


_MEMBER_COLUMNS: dict[str, Combinable] = {"user": F("user_id"), "shop": F("shop_id")}
#: ``notify``'s rows for one shop, compiled once (``notify_statement`` runs on every new urge task).
_SHOP_MEMBERS = CompiledQuery(
    lambda shop: insert_select_source(Notification, _active(ShopMembership.objects.filter(shop=shop)), columns=_MEMBER_COLUMNS),
    shop=-_URL_SAMPLE,
)


def _active(members: QuerySet[ShopMembership]) -> QuerySet[ShopMembership]:
    return members.filter(user__is_active=True)


def _columns_values(
    *, kind: str, title: TextPart, body: TextPart, link: TextPart, dedupe_key: TextPart | None
) -> tuple[dict[str, Combinable], dict[str, str | None]]:
    """The inbox row's columns taken from the member rows (expressions) and its plain values."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    columns: dict[str, Combinable] = dict(_MEMBER_COLUMNS)
    values: dict[str, str | None] = {"kind": kind}
    for name, value in (("title", title), ("body", body), ("link", link), ("dedupe_key", dedupe_key)):
        if value is None or isinstance(value, str):
            values[name] = value
        else:
            columns[name] = value
    return columns, values


def notify_members(
    *,
    members: QuerySet[ShopMembership],
    kind: str,
    title: TextPart,
    body: TextPart,
    link: TextPart = "",
    dedupe_key: TextPart | None = None,
) -> int:
    """Set-based ``notify``: one inbox row per row of ``members`` (a ``ShopMembership`` queryset,
    typically joined to the events, one row per member and event). ``title``, ``body``, ``link``
    and ``dedupe_key`` are strings or expressions over those rows. Returns the rows written."""
    columns, values = _columns_values(kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key)
    ids = insert_select(
        Notification, _active(members), columns=columns, values=values, ignore_conflicts_on=("user", "dedupe_key")
    )
    _enqueue_mail(kind, ids)
    return len(ids)


def _enqueue_mail(kind: str, ids: list[int]) -> None:
    if ids and kind in settings.NOTIFICATION_MAIL_KINDS:
        outbox_enqueue(topic=MAIL_TOPIC, payload={"ids": sorted(ids)})


class BatchNotice:
    """``notify_members`` for a job that sends the same notice batch after batch (the judgment job
    on PostgreSQL): the member rows' SELECT is compiled once per process (``CompiledQuery`` —
    Django spent longer compiling it than PostgreSQL running it). ``members(**values)`` gives one
    batch's ``ShopMembership`` rows, ``parts()`` the notice as ``notify_members`` takes it
    (``kind``, ``title``, ``body``, ``link``, ``dedupe_key``: one home for the texts); ``samples``
    as ``CompiledQuery`` takes them. ``send(**values)`` returns the rows written. Not prepared:
    planned on every batch with its values (see docs/decisions.md, "judgment's inbox rows")."""

    def __init__(
        self, members: Callable[..., QuerySet[ShopMembership]], parts: Callable[[], dict[str, Any]], **samples: Any
    ) -> None:
        self._parts = parts

        def source(**values: Any) -> QuerySet[ShopMembership]:
            columns, _values = _columns_values(**parts())
            return insert_select_source(Notification, _active(members(**values)), columns=columns)

        self._source = CompiledQuery(source, **samples)

    def send(self, **values: Any) -> int:
        parts = self._parts()
        columns, plain = _columns_values(**parts)
        sql, params = insert_select_sql(
            Notification,
            ShopMembership.objects.all(),  # the rows: ``compiled_source``
            columns=columns,
            values=plain,
            ignore_conflicts_on=("user", "dedupe_key"),
            compiled_source=self._source.sql(**values),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        _enqueue_mail(parts["kind"], ids)
        return len(ids)


def notification_mail_messages(*, ids: list[int], message_id_prefix: str = "") -> list[EmailMessage]:
    """One message per event (same shop, kind, title and body) to its members' addresses."""
    rows = (
        Notification.objects.filter(pk__in=ids)
        .exclude(user__email="")
        .order_by("pk")
        .values_list("shop_id", "kind", "title", "body", "link", "user__email")
    )
    groups: dict[tuple[int, str, str, str, str], list[str]] = {}
    for shop_id, kind, title, body, link, email in rows:
        groups.setdefault((shop_id, kind, title, body, link), []).append(email)
    domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "backoffice.local")
    messages = []
    for i, ((_shop, _kind, title, body, link), emails) in enumerate(groups.items()):
        text = "\n\n".join(part for part in (body, link) if part)
        headers = {"Message-ID": f"<{message_id_prefix}-{i}@{domain}>"} if message_id_prefix else {}
        messages.append(EmailMessage(subject=title, body=text, to=sorted(emails), headers=headers))
    return messages


def notification_mail_send(*, ids: list[int], message_id_prefix: str = "") -> int:
    """Send the mail of these notifications (the outbox handler; a failure is retried by it)."""
    messages = notification_mail_messages(ids=ids, message_id_prefix=message_id_prefix)
    if not messages:
        return 0
    return get_connection(fail_silently=False).send_messages(messages) or 0


@transaction.atomic
def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark one of the caller's notifications read (already read: unchanged). Reading is not a
    domain state change: no audit row."""
    if notification.user_id != user.pk:
        raise ValueError("a notification is marked read by its own user only")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the caller read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
