"""Report and exemption writes. Views, admin actions and demo data all call these."""

from reports.services.amendments import amendment_approve, amendment_reject, report_amend, report_current_version
from reports.services.drafts import ReportDraft
from reports.services.exemptions import exemption_create, exemption_update
from reports.services.letters import commitment_letter_publish
from reports.services.numbering import report_no_next
from reports.services.preview import CoveragePreview, report_preview
from reports.services.reports import (
    AUTO_APPROVED_SCENARIOS,
    TRANSITIONS,
    Submitted,
    report_approve,
    report_reject,
    report_revoke,
    report_submit,
    report_withdraw,
)

__all__ = [
    "AUTO_APPROVED_SCENARIOS",
    "CoveragePreview",
    "ReportDraft",
    "TRANSITIONS",
    "Submitted",
    "amendment_approve",
    "amendment_reject",
    "commitment_letter_publish",
    "exemption_create",
    "exemption_update",
    "report_amend",
    "report_approve",
    "report_current_version",
    "report_no_next",
    "report_preview",
    "report_reject",
    "report_revoke",
    "report_submit",
    "report_withdraw",
]
