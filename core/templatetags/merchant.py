"""Template filters for merchant pages (SPEC §9: merchants never see ops usernames)."""

from datetime import timedelta

from django import template

from core.audit import Actor, merchant_actor_label, merchant_colleague_ids
from core.roles import AnyUser

register = template.Library()


@register.filter
def merchant_actor(actor: Actor, viewer: AnyUser | None) -> str:
    """``{{ obj.revoked_by|merchant_actor:request.user }}``: a colleague's name, else 系统 / 平台运营."""
    return merchant_actor_label(actor, colleagues=merchant_colleague_ids(viewer))


@register.filter
def minutes(value: timedelta | None) -> int:
    """A timedelta in whole minutes (the login lock-out page)."""
    return int(value.total_seconds() // 60) if value else 0
