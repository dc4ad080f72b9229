"""The buyer's delivery notice (SPEC §11): what the buyer's order page shows about an order now —
"商家已报备（疫情），预计 12月03日 18:00 前发货" — decided by the one coverage rule
(``reports.coverage.coverage_of``: a unified exemption first, else a merchant report)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _

from reports.coverage import coverage_of, covering_version
from reports.models import Scenario
from reports.services.amendments import report_current_version
from shops.models import Order

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class DeliveryNotice:
    order: Order
    at: datetime
    order_state: str  # awaiting_shipment | shipped | cancelled
    kind: str | None  # report | exemption | None
    scenario: str | None
    scenario_label: str
    report_no: str | None
    version: int | None
    promised_ship_by: datetime | None
    exemption_title: str
    exemption_ends_at: datetime | None
    text: str

    @property
    def covered(self) -> bool:
        return self.kind is not None


def _order_state(order: Order, at: datetime) -> str:
    if order.cancelled_at is not None and order.cancelled_at <= at:
        return "cancelled"
    if order.shipped_at is not None and order.shipped_at <= at:
        return "shipped"
    return "awaiting_shipment"


def _when(value: datetime) -> str:
    local = value.astimezone(SHANGHAI)
    return f"{local.month}月{local.day:02d}日 {local:%H:%M}"


def delivery_notice(*, order: Order, at: datetime) -> DeliveryNotice:
    """Whether a report or exemption covers ``order`` at ``at``, and the buyer's sentence for it
    (always in Chinese: it is shown on the buyer's order page). A shipped or cancelled order
    gets no sentence, though the coverage is still stated."""
    state = _order_state(order, at)
    cover = coverage_of(order, at)
    report, exemption = (cover.report, cover.exemption) if cover else (None, None)
    scenario = cover.obj.scenario if cover else None
    # The buyer is promised the report's latest approved promise (an amendment may move it later).
    promise = report_current_version(report).promised_ship_by if report else None
    with translation.override("zh-hans"):
        label = str(Scenario(scenario).label) if scenario else ""
        text = ""
        if state == "awaiting_shipment" and report is not None and promise is not None:
            text = _("The merchant has reported %(scenario)s; expected to ship before %(when)s.") % {
                "scenario": label,
                "when": _when(promise),
            }
        elif state == "awaiting_shipment" and exemption is not None:
            text = _("Shipping in the area is affected by %(scenario)s (platform exemption until %(when)s).") % {
                "scenario": label,
                "when": _when(exemption.ends_at),
            }
    return DeliveryNotice(
        order=order,
        at=at,
        order_state=state,
        kind=cover.kind if cover else None,
        scenario=scenario,
        scenario_label=label,
        report_no=report.report_no if report else None,
        version=covering_version(report, order, at) if report else None,
        promised_ship_by=promise,
        exemption_title=exemption.title if exemption else "",
        exemption_ends_at=exemption.ends_at if exemption else None,
        text=text,
    )
