"""Spot checks (抽查) of auto-approved reports (SPEC §11).

**Sampling** (daily, for day D = yesterday in Asia/Shanghai): the population is every report
approved automatically (``decided_by_system``) with ``approved_at`` in D, ordered by id — fixed
once D is over, whatever happens to those reports later. From it, ``ceil(rate × N)`` reports are
drawn (``SPOT_CHECK_RATE``, default 2%, rounded up so a day with any auto-approval gets one), then
every shop that had ``SPOT_CHECK_SHOP_MINIMUM`` (5) or more and got none gets one of its own. The
random generator is seeded by the day (``spot-check:YYYY-MM-DD``), so the sample of a day is
reproducible: the same population always yields the same reports.

**Idempotent per day**: the job first inserts the day's ``SpotCheckDay`` row (unique ``day``)
in its own transaction with the checks and their audit rows; a re-run finds the row and does
nothing, a concurrent run blocks on the unique key until the first commits and then does nothing
(``IntegrityError`` → "already sampled"). ``SpotCheck.report`` is unique as well.

**Deciding**: ``spot_check_decide`` records ``confirmed`` or ``false`` with a note; ``false``
revokes the report through ``reports.services.report_revoke`` (so its exempted complaints go to
the re-review list, and every check that service makes — separation of duties included — applies).
Audited; the shop's members get the result in their inbox, in the same transaction.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, audit_record_bulk
from core.duties import duty_check
from core.errors import Conflict, InvalidInput
from notifications import events as inbox
from notifications.services import inbox_language
from reports.models import DeliveryReport
from reports.services import report_revoke
from tickets.services.metrics import day_bounds, shanghai_today
from workbench.models import SpotCheck, SpotCheckDay

Status = SpotCheck.Status


@dataclass
class SampleRun:
    day: date
    created: bool  # False: the day was sampled already (a re-run, or another run got there first)
    population: int = 0
    sampled: int = 0


def spot_check_seed(day: date) -> str:
    return f"spot-check:{day.isoformat()}"


def spot_check_population(day: date) -> list[tuple[int, int]]:
    """``(report id, shop id)`` of the reports auto-approved on ``day``, by id."""
    start, end = day_bounds(day)
    return list(
        DeliveryReport.objects.filter(decided_by_system=True, approved_at__gte=start, approved_at__lt=end)
        .order_by("pk")
        .values_list("pk", "shop_id")
    )


def spot_check_pick(population: list[tuple[int, int]], *, day: date) -> list[int]:
    """The sample of ``day`` from its population (pure: same input, same answer)."""
    rng = random.Random(spot_check_seed(day))
    ids = [pk for pk, _shop in population]
    size = min(len(ids), math.ceil(len(ids) * settings.SPOT_CHECK_RATE))
    picked = set(rng.sample(ids, size))
    by_shop: dict[int, list[int]] = defaultdict(list)
    for pk, shop_id in population:
        by_shop[shop_id].append(pk)
    for shop_id in sorted(by_shop):
        reports = by_shop[shop_id]
        if len(reports) >= settings.SPOT_CHECK_SHOP_MINIMUM and picked.isdisjoint(reports):
            picked.add(rng.choice(reports))
    return sorted(picked)


def spot_checks_sample(*, day: date | None = None, now=None) -> SampleRun:
    """Sample ``day`` (default: yesterday in Asia/Shanghai) once. See the module docstring."""
    now = now or timezone.now()
    day = day or shanghai_today(now) - timedelta(days=1)
    try:
        with transaction.atomic():
            sample_day = SpotCheckDay.objects.create(day=day, seed=spot_check_seed(day))
            population = spot_check_population(day)
            picked = spot_check_pick(population, day=day)
            shop_of = dict(population)
            SpotCheck.objects.bulk_create(
                [SpotCheck(sample_day=sample_day, report_id=pk, shop_id=shop_of[pk]) for pk in picked], batch_size=1000
            )
            ids = list(SpotCheck.objects.filter(sample_day=sample_day).values_list("pk", flat=True))
            audit_record_bulk(actor=None, model=SpotCheck, target_ids=ids, action="spot_check_sampled", to_status=Status.PENDING)
            sample_day.population, sample_day.sampled = len(population), len(picked)
            sample_day.save(update_fields=["population", "sampled"])
    except IntegrityError:
        if not SpotCheckDay.objects.filter(day=day).exists():
            raise
        return SampleRun(day=day, created=False)
    return SampleRun(day=day, created=True, population=len(population), sampled=len(picked))


@transaction.atomic
def spot_check_decide(*, actor, spot_check: SpotCheck, result: str, note: str) -> SpotCheck:
    """Record the result of a pending check. 400 ``invalid_result`` / ``note_required``;
    403 ``conflict_of_interest`` (a member of the shop, or the report's submitter — the same
    check ``report_revoke`` makes); 409 ``spot_check_already_decided``. ``false`` revokes the report when it is still approved
    (an already withdrawn or revoked report is recorded as found false, nothing to revoke)."""
    if result not in (Status.CONFIRMED, Status.FALSE):
        raise InvalidInput("invalid_result", _("The result must be confirmed or false."))
    note = (note or "").strip()
    if not note:
        raise InvalidInput("note_required", _("A note is required."))
    check = SpotCheck.objects.select_for_update(of=("self",)).select_related("report", "shop").get(pk=spot_check.pk)
    duty_check(actor=actor, shop_id=check.shop_id, submitted_by_id=check.report.submitted_by_id)
    if check.status != Status.PENDING:
        raise Conflict("spot_check_already_decided", _("Spot check #%(id)s has already been decided.") % {"id": check.pk})
    revoked = False
    if result == Status.FALSE and check.report.status == DeliveryReport.Status.APPROVED:
        with inbox_language():  # the reason is shown to the merchant
            reason = _("Spot check found it false: %(note)s") % {"note": note}
        report_revoke(actor=actor, report=check.report, reason=reason)
        revoked = True
    check.status, check.note, check.decided_by, check.decided_at = result, note, actor, timezone.now()
    check.report_revoked = revoked
    check.save(update_fields=["status", "note", "decided_by", "decided_at", "report_revoked"])
    audit_record(
        actor=actor,
        target=check,
        action="spot_check_decided",
        from_status=Status.PENDING,
        to_status=result,
        reason=note,
        at=check.decided_at,
        data={"report_no": check.report.report_no, "report_revoked": revoked},
    )
    inbox.spot_check_result(spot_check=check)
    return check
