"""Human labels for the appeal refusal codes (shown to ops and merchants)."""

from django.utils.translation import gettext_lazy as _

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
