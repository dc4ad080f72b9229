"""Status machines of complaints and appeals (guarded by ``core.transitions.guard_transition``)."""

from complaints.models import Appeal, Complaint
from core.errors import IllegalTransition
from core.transitions import guard_transition

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


def guard(table, *, current: str, target: str, code: str, entity: str, detail: str) -> None:
    """``core.transitions.guard_transition`` with a human (translated) ``detail``."""
    try:
        guard_transition(table, current=current, target=target, code=code, entity=entity)
    except IllegalTransition as exc:
        raise IllegalTransition(exc.code, detail) from None
