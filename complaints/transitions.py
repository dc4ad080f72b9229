"""Status machines of complaints and appeals (guarded by ``core.transitions.guard_transition``)."""

from complaints.models import Appeal, Complaint

CS = Complaint.Status
AS = Appeal.Status

COMPLAINT_STATUS = {CS.PENDING_REVIEW: {CS.JUDGED}, CS.JUDGED: set()}

# A verdict changes after judgment only through an accepted appeal (liable → exempt) or an ops
# re-review of an exemption whose basis report was revoked (exempt → liable, or confirmed).
COMPLAINT_VERDICT = {
    "": {Complaint.Verdict.MERCHANT_LIABLE, Complaint.Verdict.EXEMPT},
    Complaint.Verdict.MERCHANT_LIABLE: {Complaint.Verdict.EXEMPT},
    Complaint.Verdict.EXEMPT: {Complaint.Verdict.MERCHANT_LIABLE, Complaint.Verdict.EXEMPT},
}

APPEAL_STATUS = {AS.PENDING_REVIEW: {AS.ACCEPTED, AS.REJECTED}, AS.ACCEPTED: set(), AS.REJECTED: set()}
