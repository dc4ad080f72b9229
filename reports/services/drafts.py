"""A report draft — what a merchant fills in to file a report — and every rule it must pass.

``report_submit`` files a ``ReportDraft`` and ``report_preview`` shows what it would cover; both
take the same value and ask ``report_draft_clean`` of it, so a create and its preview cannot
drift apart (SPEC §11: "the same validation and error codes as a create").
``reports.coverage.DraftReport`` is something else: a cleaned draft as the coverage rule reads it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from core.bounds import check_list_size
from core.errors import InvalidInput
from reports.models import CommitmentLetter, DeliveryReport
from reports.selectors import commitment_letter_current
from reports.services.validation import clean_region_codes, validate_window
from shops.models import Product, Shop

Scope = DeliveryReport.Scope


@dataclass(frozen=True, kw_only=True)
class ReportDraft:
    """A report before it is filed: the API's create body (with the caller's shop, scoped by a
    selector) or the portal form. ``note`` and ``request_id`` do not change coverage."""

    shop: Shop
    scenario: str
    scope: str
    starts_at: datetime
    ends_at: datetime
    commitment_accepted: bool
    products: Iterable[Product | str] = ()
    regions: Iterable[str] = ()
    promised_ship_by: datetime | None = None
    note: str = ""
    commitment_letter_version: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class CleanSubmission:
    """A draft that passed every rule (``report_draft_clean``)."""

    letter: CommitmentLetter
    promised_ship_by: datetime
    products: list[Product]
    region_codes: list[str]


def clean_products(shop: Shop, products: Sequence[Product | str]) -> list[Product]:
    """Products given as codes (or Product objects) of ``shop``."""
    wanted = [p.code if isinstance(p, Product) else str(p) for p in products]
    found = {p.code: p for p in Product.objects.filter(shop=shop, code__in=wanted)}
    foreign = [p for p in products if isinstance(p, Product) and p.shop_id != shop.pk]
    missing = [code for code in wanted if code not in found]
    if foreign or missing:
        code = foreign[0].code if foreign else missing[0]
        raise InvalidInput(
            "product_not_in_shop", _("Product %(code)s is not a product of shop %(shop)s.") % {"code": code, "shop": shop.code}
        )
    return list(dict.fromkeys(found[code] for code in wanted))


def report_draft_clean(*, draft: ReportDraft, submitted_at: datetime) -> CleanSubmission:
    """Every refusal of a report submission, in order (400s; see ``report_submit``). Writes
    nothing: the coverage preview asks the same questions before anything is filed."""
    products, regions = list(draft.products or []), list(draft.regions or [])
    check_list_size(products, field="products")  # SPEC §9, before any database work
    check_list_size(regions, field="regions")
    if not draft.commitment_accepted:
        raise InvalidInput("commitment_required", _("The commitment letter must be accepted (commitment_accepted=true)."))
    letter = commitment_letter_current(at=submitted_at)
    if letter is None:
        raise InvalidInput("commitment_letter_missing", _("No commitment letter is published yet."))
    version = draft.commitment_letter_version
    if version and version != letter.version:
        raise InvalidInput(
            "commitment_letter_outdated",
            _("Commitment letter %(given)s is not the current one (%(current)s); read the current letter again.")
            % {"given": version, "current": letter.version},
        )
    promised_ship_by = draft.promised_ship_by or draft.ends_at
    validate_window(
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        submitted_at=submitted_at,
        max_window=settings.REPORT_MAX_WINDOW,
        max_backdate=settings.REPORT_MAX_BACKDATE,
    )
    if not draft.starts_at <= promised_ship_by <= draft.ends_at:
        raise InvalidInput("promised_ship_by_outside_window", _("The promised ship-by time must lie within the window."))
    scope = draft.scope
    if scope == Scope.PRODUCT and not products:
        raise InvalidInput("products_required", _("A product-scope report must list at least one product."))
    if scope == Scope.REGION and not regions:
        raise InvalidInput("regions_required", _("A region-scope report must list at least one receiver region."))
    if (products and scope != Scope.PRODUCT) or (regions and scope != Scope.REGION):
        raise InvalidInput("scope_mismatch", _("Products go with the product scope and regions with the region scope only."))
    return CleanSubmission(letter, promised_ship_by, clean_products(draft.shop, products), clean_region_codes(regions))
