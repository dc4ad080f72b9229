"""Unified exemptions (统一免责, SPEC §3): declared by ops in the admin or pushed by the platform."""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import Actor, audit_record
from core.bounds import check_list_size
from core.errors import Conflict, InvalidInput
from reports.models import ExemptionRegion, UnifiedExemption
from reports.services.validation import clean_region_codes, validate_window
from shops.regions import region_prefix

Source = UnifiedExemption.Source


def _clean(*, regions: Iterable[str], starts_at: datetime, ends_at: datetime) -> list[str]:
    codes = list(regions or [])
    check_list_size(codes, field="regions")  # SPEC §9, before any database work
    validate_window(starts_at=starts_at, ends_at=ends_at)
    if not codes:
        raise InvalidInput("regions_required", _("An exemption must list at least one region."))
    return clean_region_codes(codes)


def _set_regions(exemption: UnifiedExemption, codes: list[str]) -> None:
    """Replace the exemption's regions; each link stores the covering ``prefix``."""
    exemption.region_links.exclude(region_id__in=codes).delete()
    have = set(exemption.region_links.values_list("region_id", flat=True))
    ExemptionRegion.objects.bulk_create(
        [ExemptionRegion(exemption=exemption, region_id=c, prefix=region_prefix(c)) for c in codes if c not in have]
    )


def _snapshot(exemption: UnifiedExemption, codes: list[str]) -> dict[str, str | list[str]]:
    return {
        "title": exemption.title,
        "scenario": exemption.scenario,
        "applies_to": exemption.applies_to,
        "starts_at": exemption.starts_at.isoformat(),
        "ends_at": exemption.ends_at.isoformat(),
        "regions": sorted(codes),
    }


def _key(exemption: UnifiedExemption, codes: list[str]) -> tuple[str, str, str, datetime, datetime, list[str]]:
    return (exemption.title, exemption.scenario, exemption.applies_to, exemption.starts_at, exemption.ends_at, sorted(codes))


@transaction.atomic
def exemption_create(
    *,
    actor: Actor,
    title: str,
    scenario: str,
    applies_to: str,
    regions: Iterable[str],
    starts_at: datetime,
    ends_at: datetime,
    source: str = Source.OPS,
) -> tuple[UnifiedExemption, bool]:
    """Declare an exemption. A platform push is identified by (title, starts_at): the identical
    repeat returns ``(existing, False)``, a differing one is 409 ``exemption_conflict``."""
    codes = _clean(regions=regions, starts_at=starts_at, ends_at=ends_at)
    exemption = UnifiedExemption(
        title=title,
        scenario=scenario,
        applies_to=applies_to,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            exemption.save()
    except IntegrityError:
        existing = UnifiedExemption.objects.filter(source=Source.PLATFORM, title=title, starts_at=starts_at).first()
        if existing is None:
            raise
        stored = list(existing.region_links.values_list("region_id", flat=True))
        if _key(existing, stored) != _key(exemption, codes):
            raise Conflict(
                "exemption_conflict",
                _("Exemption “%(title)s” from %(start)s exists with other content.")
                % {"title": title, "start": starts_at.isoformat()},
            )
        return existing, False
    _set_regions(exemption, codes)
    audit_record(actor=actor, target=exemption, action="exemption_created", data=_snapshot(exemption, codes))
    return exemption, True


@transaction.atomic
def exemption_update(
    *,
    actor: Actor,
    exemption: UnifiedExemption,
    title: str,
    scenario: str,
    applies_to: str,
    regions: Iterable[str],
    starts_at: datetime,
    ends_at: datetime,
) -> UnifiedExemption:
    """Change an exemption (e.g. end it early by moving ``ends_at``); the audit row keeps before/after."""
    codes = _clean(regions=regions, starts_at=starts_at, ends_at=ends_at)
    exemption = UnifiedExemption.objects.select_for_update().get(pk=exemption.pk)
    before = _snapshot(exemption, list(exemption.region_links.values_list("region_id", flat=True)))
    exemption.title, exemption.scenario, exemption.applies_to = title, scenario, applies_to
    exemption.starts_at, exemption.ends_at = starts_at, ends_at
    exemption.save(update_fields=["title", "scenario", "applies_to", "starts_at", "ends_at"])
    _set_regions(exemption, codes)
    audit_record(
        actor=actor, target=exemption, action="exemption_changed", data={"before": before, "after": _snapshot(exemption, codes)}
    )
    return exemption
