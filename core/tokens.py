"""API tokens (SPEC §9): issued, checked, listed and revoked here, and nowhere else.

Keys are 40 random hex characters shown once; the database keeps their SHA-256 digest. Merchant
and ops tokens expire after ``API_TOKEN_DAYS`` (90), platform tokens after
``API_PLATFORM_TOKEN_DAYS`` (365; 0 = never). Clients send ``Authorization: Token <key>``.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import Actor, audit_record
from core.errors import NotFound
from core.models import ApiToken
from core.roles import remember_roles, role_names

#: ``last_used_at`` is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(hours=1)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_lifetime(kind: str) -> timedelta | None:
    days = settings.API_PLATFORM_TOKEN_DAYS if kind == ApiToken.Kind.PLATFORM else settings.API_TOKEN_DAYS
    return timedelta(days=days) if days else None


@transaction.atomic
def token_issue(*, user: User, kind: str, actor: Actor = None, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key (the only time it is seen)."""
    now = now or timezone.now()
    key = secrets.token_hex(20)
    lifetime = token_lifetime(kind)
    token = ApiToken.objects.create(
        user=user,
        kind=kind,
        prefix=key[:8],
        digest=key_digest(key),
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    audit_record(actor=actor, target=token, action="token_issued", from_status="", to_status="active", reason="", at=now)
    return token, key


def token_authenticate(key: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token with this key, or None (unknown, revoked or expired). Its user comes with
    its roles (``core.roles.role_names``): one query for the request's identity and roles."""
    if not key or len(key) > 128:
        return None
    now = now or timezone.now()
    found = ApiToken.objects.select_related("user").filter(digest=key_digest(key)).annotate(roles=role_names("user_id"))
    token = found.order_by().first()
    if token is None or token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    remember_roles(token.user, vars(token).pop("roles"))
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_list(*, username: str | None = None, include_dead: bool = False, now: datetime | None = None) -> QuerySet[ApiToken]:
    now = now or timezone.now()
    qs = ApiToken.objects.select_related("user")
    if username:
        qs = qs.filter(user__username=username)
    if not include_dead:
        qs = qs.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)
    return qs.order_by("user__username", "-created_at", "-pk")


def token_status(token: ApiToken, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Actor = None, reason: str = "", now: datetime | None = None) -> ApiToken:
    """Revoke one token (a revoked one stays revoked; the call is then a no-op)."""
    now = now or timezone.now()
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        previous = token_status(token, now=now)
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, target=token, action="token_revoked", from_status=previous, to_status="revoked", reason=reason, at=now
        )
    return token


def tokens_matching(*, prefix: str = "", username: str = "") -> QuerySet[ApiToken]:
    """Tokens named by key prefix (at least 6 characters, or the whole key) and/or username."""
    qs = ApiToken.objects.select_related("user")
    if prefix:
        if len(prefix) > 8:
            qs = qs.filter(digest=key_digest(prefix))
        else:
            qs = qs.filter(prefix__startswith=prefix)
    if username:
        qs = qs.filter(user__username=username)
    if not prefix and not username:
        raise NotFound("token_not_found", gettext("Name a token by its key prefix or a username."))
    return qs
