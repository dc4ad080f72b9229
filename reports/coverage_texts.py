"""The one set of texts for the coverage rule's failure codes (``reports.coverage``): a short
label per code (ops lists, the complaint review) and the explanation with the values behind it
(the "why covered?" explainer)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import DeliveryReport, UnifiedExemption
from shops.models import Order

SHANGHAI = ZoneInfo("Asia/Shanghai")

FAILURE_LABELS = {
    "other_shop": gettext_lazy("another shop's report"),
    "other_scope": gettext_lazy("scope does not include the order"),
    "approved_after_ship_deadline": gettext_lazy("approved after the order's ship deadline"),
    "not_approved": gettext_lazy("not approved"),
    "approved_after_time": gettext_lazy("approved after the filing time"),
    "withdrawn": gettext_lazy("withdrawn"),
    "revoked": gettext_lazy("revoked"),
    "before_window": gettext_lazy("filing time before the validity window"),
    "after_window": gettext_lazy("filing time after the validity window"),
    "other_region": gettext_lazy("regions do not match the order"),
}


def failure_labels(codes: list[str]) -> list[str]:
    return [str(FAILURE_LABELS.get(code, code)) for code in codes]


def _t(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def report_failure_detail(code: str, report: DeliveryReport, order: Order, at: datetime) -> str:
    """A report failure code with the values behind it (the explainer)."""
    texts = {
        "other_shop": lambda: _("The report belongs to another shop."),
        "other_scope": lambda: (
            _("The report's scope (%(scope)s) does not include this order.") % {"scope": report.get_scope_display()}
        ),
        "approved_after_ship_deadline": lambda: (
            _("Approved at %(approved)s, after the order's ship deadline %(deadline)s.")
            % {"approved": _t(report.approved_at), "deadline": _t(order.ship_deadline)}
        ),
        "not_approved": lambda: _("Not approved (status: %(status)s).") % {"status": report.get_status_display()},
        "approved_after_time": lambda: (
            _("Approved only at %(approved)s, after %(at)s.") % {"approved": _t(report.approved_at), "at": _t(at)}
        ),
        "withdrawn": lambda: _("Withdrawn at %(when)s.") % {"when": _t(report.withdrawn_at)},
        "revoked": lambda: _("Revoked at %(when)s.") % {"when": _t(report.revoked_at)},
        "before_window": lambda: (
            _("Out of window: it starts at %(start)s, after %(at)s.") % {"start": _t(report.starts_at), "at": _t(at)}
        ),
        "after_window": lambda: (
            _("Out of window: it ended at %(end)s, before %(at)s.") % {"end": _t(report.ends_at), "at": _t(at)}
        ),
    }
    return texts[code]() if code in texts else code


def exemption_failure_detail(code: str, exemption: UnifiedExemption, order: Order, at: datetime) -> str:
    """An exemption failure code with the values behind it (the explainer)."""
    texts = {
        "other_region": lambda: (
            _("None of its regions contains the order's %(which)s.")
            % {
                "which": {
                    "receiver": _("receiver region %(r)s") % {"r": order.receiver_region_id},
                    "sender": _("sender region %(s)s") % {"s": order.sender_region_id},
                    "either": _("receiver region %(r)s or sender region %(s)s")
                    % {"r": order.receiver_region_id, "s": order.sender_region_id},
                }[exemption.applies_to]
            }
        ),
        "before_window": lambda: (
            _("Out of window: it starts at %(start)s, after %(at)s.") % {"start": _t(exemption.starts_at), "at": _t(at)}
        ),
        "after_window": lambda: (
            _("Out of window: it ended at %(end)s, before %(at)s.") % {"end": _t(exemption.ends_at), "at": _t(at)}
        ),
    }
    return texts[code]() if code in texts else code
