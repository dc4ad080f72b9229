"""Storefront creation, third-party shop bindings and the affiliate PID."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit_record
from core.errors import Conflict
from core.results import Ingested
from core.transitions import guard_transition
from storefront.adapters import adapter_for
from storefront.models import BindingStatus, PidBinding, ShopBinding, Storefront
from storefront.parsing import parse_pid

BINDING_TRANSITIONS: dict[str, set[str]] = {BindingStatus.ACTIVE: {BindingStatus.REVOKED}, BindingStatus.REVOKED: set()}


def _lock(storefront: Storefront) -> Storefront:
    """Serialise writes per storefront (a no-op on SQLite)."""
    return Storefront.objects.select_for_update().get(pk=storefront.pk)


@transaction.atomic
def storefront_create(*, actor: User, name: str) -> Ingested[Storefront]:
    """Open the caller's storefront (one per user). The same name again is a no-op; a different
    name is ``storefront_exists`` (409)."""
    name = name.strip()
    existing = Storefront.objects.filter(owner=actor).first()
    if existing is None:
        try:
            with transaction.atomic():
                storefront = Storefront.objects.create(owner=actor, name=name)
        except IntegrityError:
            existing = Storefront.objects.get(owner=actor)
        else:
            audit_record(actor=actor, target=storefront, action="storefront_created", data={"name": name})
            return Ingested(storefront, True)
    if existing.name != name:
        raise Conflict("storefront_exists", _("You already have a storefront: %(name)s.") % {"name": existing.name})
    return Ingested(existing, False)


def _revoke(binding: ShopBinding | PidBinding, *, actor: Actor, at: datetime, reason: str, action: str) -> None:
    guard_transition(
        BINDING_TRANSITIONS,
        current=binding.status,
        target=BindingStatus.REVOKED,
        code="binding_revoked",
        entity=str(binding._meta.verbose_name),
    )
    binding.status = BindingStatus.REVOKED
    binding.revoked_at = at
    binding.revoked_by = actor
    fields = ["status", "revoked_at", "revoked_by"]
    if isinstance(binding, ShopBinding):
        binding.revoke_reason = reason
        fields.append("revoke_reason")
    binding.save(update_fields=fields)
    audit_record(
        actor=actor,
        target=binding,
        action=action,
        from_status=BindingStatus.ACTIVE,
        to_status=BindingStatus.REVOKED,
        reason=reason,
        at=at,
    )


@transaction.atomic
def shop_bind(
    *, actor: User, storefront: Storefront, platform: str, external_shop_id: str, external_shop_name: str
) -> Ingested[ShopBinding]:
    """Authorise a third-party shop for the storefront (绑定店铺).

    The same shop already bound here (and not expired) answers the existing binding. A shop
    actively bound to another storefront is ``shop_bound_elsewhere`` (409). An expired grant is
    closed (revoked by the system, reason ``expired``) and a new grant recorded."""
    _lock(storefront)
    now = timezone.now()
    current = (
        ShopBinding.objects.select_for_update()
        .filter(platform=platform, external_shop_id=external_shop_id, status=BindingStatus.ACTIVE)
        .first()
    )
    if current is not None and not current.is_usable(now):
        _revoke(current, actor=None, at=now, reason="expired", action="shop_binding_expired")
        current = None
    if current is not None:
        if current.storefront_id != storefront.pk:
            raise Conflict("shop_bound_elsewhere", _("This shop is bound to another storefront."))
        return Ingested(current, False)
    grant = adapter_for(platform).authorise_shop(
        external_shop_id=external_shop_id,
        external_shop_name=external_shop_name,
        at=now,
    )
    try:
        with transaction.atomic():
            binding = ShopBinding.objects.create(
                storefront=storefront,
                platform=platform,
                external_shop_id=grant.external_shop_id,
                external_shop_name=grant.external_shop_name,
                granted_at=now,
                granted_by=actor,
                expires_at=grant.expires_at,
            )
    except IntegrityError:
        raise Conflict("shop_bound_elsewhere", _("This shop is bound to another storefront."))
    audit_record(
        actor=actor,
        target=binding,
        action="shop_bound",
        to_status=BindingStatus.ACTIVE,
        at=now,
        data={
            "platform": platform,
            "external_shop_id": external_shop_id,
            "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
        },
    )
    return Ingested(binding, True)


@transaction.atomic
def shop_unbind(*, actor: User, binding: ShopBinding, reason: str = "") -> ShopBinding:
    """Revoke the grant (解绑). The row stays; a revoked binding again is ``binding_revoked``."""
    binding = ShopBinding.objects.select_for_update().get(pk=binding.pk)
    _revoke(binding, actor=actor, at=timezone.now(), reason=reason, action="shop_unbound")
    return binding


@transaction.atomic
def pid_bind(*, actor: User, storefront: Storefront, pid: str) -> Ingested[PidBinding]:
    """Bind a Taobao affiliate PID (``pid_invalid`` unless ``mm_<member>_<site>_<adzone>``).

    The same PID again is a no-op; another PID replaces the active one (which is revoked)."""
    parsed = parse_pid(pid)
    _lock(storefront)
    now = timezone.now()
    active = PidBinding.objects.filter(storefront=storefront, status=BindingStatus.ACTIVE).first()
    if active is not None:
        if active.pid == parsed.pid:
            return Ingested(active, False)
        _revoke(active, actor=actor, at=now, reason="replaced", action="pid_revoked")
    binding = PidBinding.objects.create(
        storefront=storefront,
        pid=parsed.pid,
        member_id=parsed.member_id,
        site_id=parsed.site_id,
        adzone_id=parsed.adzone_id,
        bound_at=now,
        bound_by=actor,
    )
    audit_record(
        actor=actor, target=binding, action="pid_bound", to_status=BindingStatus.ACTIVE, at=now, data={"pid": parsed.pid}
    )
    return Ingested(binding, True)


@transaction.atomic
def pid_unbind(*, actor: User, binding: PidBinding) -> PidBinding:
    binding = PidBinding.objects.select_for_update().get(pk=binding.pk)
    _revoke(binding, actor=actor, at=timezone.now(), reason="", action="pid_revoked")
    return binding
