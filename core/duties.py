"""Separation of duties (SPEC §9): no one decides their own case.

An ops user may not approve, reject or revoke a report, accept or reject an appeal, or judge
(or re-review) a complaint of a shop they are a member of, nor one they submitted themselves.
A superuser is no exception. Every decision service calls ``duty_check`` first, inside its
transaction, so the ops API, the admin actions and any later decision path get the same 403
``conflict_of_interest``. The admin asks ``duty_conflict`` to hide the actions it would refuse.

Automatic decisions (``actor=None``: auto-approval, the judgment job) have no person to conflict.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.roles import AnyUser, signed_in

if TYPE_CHECKING:
    from django.contrib import admin

    from complaints.models import Appeal, Complaint
    from reports.models import DeliveryReport

_M = TypeVar("_M", bound=models.Model)

CONFLICT_OF_INTEREST = "conflict_of_interest"
#: One message for the API, the admin's refusal and its hint, in Chinese first.
CONFLICT_MESSAGE = _("You may not decide this case: you are a member of its shop or you submitted it yourself.")


class ConflictOfInterest(DomainError):
    status = 403

    def __init__(self) -> None:
        super().__init__(CONFLICT_OF_INTEREST, str(CONFLICT_MESSAGE))


def duty_conflict(*, actor: AnyUser | None, shop_id: int | None, submitted_by_id: int | None = None) -> bool:
    """Would ``actor`` decide its own case? ``shop_id``: the case's shop; ``submitted_by_id``:
    who filed it (the report's submitter, the appeal's author)."""
    person = signed_in(actor)
    if person is None or person.pk is None:
        return False
    if submitted_by_id is not None and submitted_by_id == person.pk:
        return True
    if shop_id is None:
        return False
    from shops.models import ShopMembership

    return ShopMembership.objects.filter(shop_id=shop_id, user_id=person.pk).exists()


def duty_check(*, actor: AnyUser | None, shop_id: int | None, submitted_by_id: int | None = None) -> None:
    """Raise 403 ``conflict_of_interest`` when ``actor`` would decide its own case."""
    if duty_conflict(actor=actor, shop_id=shop_id, submitted_by_id=submitted_by_id):
        raise ConflictOfInterest()


def report_duty_conflict(actor: AnyUser | None, report: "DeliveryReport") -> bool:
    return duty_conflict(actor=actor, shop_id=report.shop_id, submitted_by_id=report.submitted_by_id)


def appeal_duty_conflict(actor: AnyUser | None, appeal: "Appeal") -> bool:
    shop_id = appeal.complaint.order.shop_id
    return duty_conflict(actor=actor, shop_id=shop_id, submitted_by_id=appeal.created_by_id)


def complaint_duty_conflict(actor: AnyUser | None, complaint: "Complaint") -> bool:
    return duty_conflict(actor=actor, shop_id=complaint.order.shop_id)


def admin_without_conflicts(
    modeladmin: "admin.ModelAdmin[_M]",
    request: HttpRequest,
    queryset: QuerySet[_M],
    conflict: Callable[[AnyUser, _M], bool],
) -> QuerySet[_M]:
    """The admin's side of the rule: drop the rows ``request.user`` may not decide from an
    action's selection, telling them apart with the service's own message (the service refuses
    them anyway). ``conflict(actor=…, obj)`` is one of the ``*_duty_conflict`` functions."""
    from django.contrib import messages

    refused = [obj.pk for obj in queryset if conflict(request.user, obj)]
    for pk in refused:
        modeladmin.message_user(request, f"#{pk}: {CONFLICT_MESSAGE} ({CONFLICT_OF_INTEREST})", messages.ERROR)
    return queryset.exclude(pk__in=refused)
