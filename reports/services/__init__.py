"""Report and exemption writes. Views, admin actions and demo data all call these."""

from reports.services.exemptions import exemption_create, exemption_update
from reports.services.letters import commitment_letter_publish
from reports.services.numbering import report_no_next
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
    "TRANSITIONS",
    "Submitted",
    "commitment_letter_publish",
    "exemption_create",
    "exemption_update",
    "report_approve",
    "report_no_next",
    "report_reject",
    "report_revoke",
    "report_submit",
    "report_withdraw",
]
