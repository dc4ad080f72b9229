"""Human labels for the coverage rule's failure codes (shown to ops and merchants)."""

from django.utils.translation import gettext_lazy as _

COVERAGE_FAILURE_LABELS = {
    "other_shop": _("another shop's report"),
    "other_scope": _("scope does not include the order"),
    "approved_after_ship_deadline": _("approved after the order's ship deadline"),
    "not_approved": _("not approved"),
    "approved_after_time": _("approved after the filing time"),
    "withdrawn": _("withdrawn"),
    "revoked": _("revoked"),
    "before_window": _("filing time before the validity window"),
    "after_window": _("filing time after the validity window"),
    "other_region": _("regions do not match the order"),
}

APPEAL_REFUSAL_LABELS = {
    "complaint_not_appealable": _("Only a complaint judged merchant-liable can be appealed."),
    "appeal_window_closed": _("The appeal window after the judgment has closed."),
    "appeal_already_open": _("Another appeal on this complaint is still open."),
    "report_not_found": _("No report has this number."),
    "report_other_shop": _("The report belongs to another shop."),
    "report_does_not_cover_order": _("The report's scope does not include this order."),
    "report_not_approved": _("The report is not approved, or was withdrawn or revoked."),
    "report_approved_after_judgment": _("The report was approved after the complaint was judged."),
    "appeal_evidence_required": _("Give a report number or a statement."),
}


def failure_labels(codes: list[str]) -> list[str]:
    return [str(COVERAGE_FAILURE_LABELS.get(code, code)) for code in codes]
