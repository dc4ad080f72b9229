"""Appeals (申诉, SPEC §5): filing with the ordered checks, and the ops decision."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.explain import APPEAL_REFUSAL_LABELS
from complaints.models import Appeal, Complaint
from complaints.transitions import APPEAL_STATUS, guard
from core.audit import audit_record
from core.duties import ConflictOfInterest, appeal_duty_conflict
from core.errors import Conflict, DomainError, InvalidInput
from core.policies import APPEAL_REQUIRES_PRIOR_REPORT, policy_in_force
from notifications import events as inbox
from reports.coverage import report_approved_at, report_scope_matches
from reports.models import DeliveryReport
from shops.selectors import require_member

Verdict = Complaint.Verdict


class AppealRefused(DomainError):
    """A rule of §5 refused the appeal (400 unless the code says otherwise)."""


def appeal_report_refusal(*, complaint: Complaint, report: DeliveryReport | None, now: datetime) -> str | None:
    """Check 4 of §5 for the cited report, in order; the first failing code, or ``None``."""
    if report is None:
        return "report_not_found"
    if report.shop_id != complaint.order.shop_id:
        return "report_other_shop"
    if not report_scope_matches(report, complaint.order):
        return "report_does_not_cover_order"
    if not report_approved_at(report, now):
        return "report_not_approved"
    if report.approved_at is None or complaint.judged_at is None or report.approved_at >= complaint.judged_at:
        return "report_approved_after_judgment"
    return None


def _refuse(code: str, status: int = 400) -> AppealRefused:
    return AppealRefused(code, str(APPEAL_REFUSAL_LABELS[code]), status=status)


def appeal_deadline(complaint: Complaint) -> datetime | None:
    """The last instant an appeal may be filed (judgment + ``APPEAL_WINDOW``); None before judgment."""
    return complaint.judged_at + settings.APPEAL_WINDOW if complaint.judged_at else None


def appeal_open_of(complaint: Complaint) -> Appeal | None:
    """The complaint's appeal waiting for ops (from ``complaint.appeal_list`` when the caller
    loaded it, else one query)."""
    loaded = getattr(complaint, "appeal_list", None)
    if loaded is not None:
        return next((a for a in loaded if a.status == Appeal.Status.PENDING_REVIEW), None)
    return complaint.appeals.filter(status=Appeal.Status.PENDING_REVIEW).first()


def appeal_refusal(*, complaint: Complaint, now: datetime, open_appeal: Appeal | None) -> str | None:
    """Checks 1–3 of §5, in order: the code that refuses an appeal on ``complaint`` at ``now``,
    or ``None`` (then only the cited report, check 4, can refuse it). The portal shows the
    appeal form only when this is ``None``; ``appeal_create`` raises it."""
    # 1. a merchant-liable verdict
    if complaint.status != Complaint.Status.JUDGED or complaint.verdict != Verdict.MERCHANT_LIABLE:
        return "complaint_not_appealable"
    # 2. within the window after judgment
    deadline = appeal_deadline(complaint)
    if deadline is None or now > deadline:
        return "appeal_window_closed"
    # 3. no other open appeal
    if open_appeal is not None:
        return "appeal_already_open"
    return None


@transaction.atomic
def appeal_create(
    *,
    actor: User,
    complaint: Complaint,
    report_no: str = "",
    statement: str = "",
    now: datetime | None = None,
) -> tuple[Appeal, bool]:
    """File an appeal. ``complaint`` must already be tenant-checked by the caller (a selector:
    another shop's complaint is a 404 before we get here). Checks in the order of §5, first
    failure wins. An identical repeat of the open appeal returns it (``created=False``)."""
    require_member(
        user=actor,
        shop_id=complaint.order.shop_id,
        code="complaint_not_found",
        detail=_("Complaint %(id)s not found.") % {"id": complaint.pk},
    )
    now = now or timezone.now()
    report_no = (report_no or "").strip()
    statement = (statement or "").strip()
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("order").get(pk=complaint.pk)
    # 1–3: verdict, window, no other open appeal (an identical repeat is the same appeal: 200)
    open_appeal = appeal_open_of(complaint)
    code = appeal_refusal(complaint=complaint, now=now, open_appeal=open_appeal)
    if (
        code == "appeal_already_open"
        and open_appeal is not None
        and (open_appeal.report_no, open_appeal.statement) == (report_no, statement)
    ):
        return open_appeal, False
    if code:
        raise _refuse(code, status=409 if code == "appeal_already_open" else 400)
    # 4. the cited report, where the policy held at the complaint's filing time
    requires_report = policy_in_force(APPEAL_REQUIRES_PRIOR_REPORT, complaint.filed_at)
    report = DeliveryReport.objects.filter(report_no=report_no).first() if report_no else None
    if requires_report:
        if report is not None:
            report = DeliveryReport.objects.prefetch_related("product_links", "region_links").get(pk=report.pk)
        code = appeal_report_refusal(complaint=complaint, report=report, now=now)
        if code:
            raise _refuse(code)
    else:
        # Legacy: free evidence for ops; a cited report of the shop is linked for convenience.
        if report is not None and report.shop_id != complaint.order.shop_id:
            report = None
        if not report_no and not statement:
            raise _refuse("appeal_evidence_required")
    appeal = Appeal.objects.create(
        complaint=complaint,
        report_no=report_no,
        report=report,
        statement=statement,
        requires_prior_report=requires_report,
        created_by=actor,
        created_at=now,
    )
    audit_record(
        actor=actor,
        target=appeal,
        action="appeal_filed",
        to_status=appeal.status,
        at=now,
        data={"complaint": complaint.pk, "report_no": report_no},
    )
    audit_record(
        actor=actor,
        target=complaint,
        action="appeal_filed",
        from_status=complaint.status,
        to_status=complaint.status,
        at=now,
        data={"appeal": appeal.pk, "report_no": report_no},
    )
    return appeal, True


def _lock_appeal(appeal: Appeal, *, actor: User) -> Appeal:
    """Lock the appeal for a decision; SPEC §9: no one decides their own case (403)."""
    appeal = (
        Appeal.objects.select_for_update(of=("self",)).select_related("complaint", "complaint__order", "report").get(pk=appeal.pk)
    )
    if appeal_duty_conflict(actor=actor, appeal=appeal):
        raise ConflictOfInterest()
    return appeal


@transaction.atomic
def appeal_accept(*, actor: User, appeal: Appeal, reason: str = "") -> Appeal:
    """Ops accept: the complaint becomes ``exempt`` with the cited report as basis and its
    penalty 0.00; the original verdict and penalty stay in the audit trail."""
    appeal = _lock_appeal(appeal, actor=actor)
    guard(
        APPEAL_STATUS,
        current=appeal.status,
        target=Appeal.Status.ACCEPTED,
        code="appeal_already_decided",
        entity="Appeal",
        detail=_("Appeal #%(id)s has already been decided.") % {"id": appeal.pk},
    )
    complaint = Complaint.objects.select_for_update().get(pk=appeal.complaint_id)
    if complaint.verdict != Verdict.MERCHANT_LIABLE:
        raise Conflict("complaint_not_appealable", _("The complaint is no longer merchant-liable."))
    now = timezone.now()
    original = {
        "verdict": complaint.verdict,
        "penalty": str(complaint.penalty),
        "basis_report": complaint.basis_report_id,
        "basis_exemption": complaint.basis_exemption_id,
    }
    complaint.verdict = Verdict.EXEMPT
    complaint.basis_report = appeal.report
    complaint.basis_exemption = None
    complaint.penalty = Decimal("0.00")
    complaint.save(update_fields=["verdict", "basis_report", "basis_exemption", "penalty"])
    appeal.status = Appeal.Status.ACCEPTED
    appeal.reason = (reason or "").strip()
    appeal.decided_by = actor
    appeal.decided_at = now
    appeal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        target=appeal,
        action="appeal_accepted",
        from_status=Appeal.Status.PENDING_REVIEW,
        to_status=appeal.status,
        reason=appeal.reason,
        at=now,
    )
    audit_record(
        actor=actor,
        target=complaint,
        action="complaint_exempted_on_appeal",
        from_status=complaint.status,
        to_status=complaint.status,
        reason=appeal.reason,
        at=now,
        data={
            "appeal": appeal.pk,
            "original": original,
            "verdict": Verdict.EXEMPT,
            "penalty": "0.00",
            "basis_report": appeal.report_id,
        },
    )
    inbox.appeal_decided(appeal=appeal)
    return appeal


@transaction.atomic
def appeal_reject(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    """Ops reject with a reason (400 ``reason_required`` without one); the verdict stands."""
    appeal = _lock_appeal(appeal, actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason_required", _("A reason is required."))
    guard(
        APPEAL_STATUS,
        current=appeal.status,
        target=Appeal.Status.REJECTED,
        code="appeal_already_decided",
        entity="Appeal",
        detail=_("Appeal #%(id)s has already been decided.") % {"id": appeal.pk},
    )
    now = timezone.now()
    appeal.status = Appeal.Status.REJECTED
    appeal.reason = reason
    appeal.decided_by = actor
    appeal.decided_at = now
    appeal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        target=appeal,
        action="appeal_rejected",
        from_status=Appeal.Status.PENDING_REVIEW,
        to_status=appeal.status,
        reason=reason,
        at=now,
    )
    audit_record(
        actor=actor,
        target=appeal.complaint,
        action="appeal_rejected",
        from_status=appeal.complaint.status,
        to_status=appeal.complaint.status,
        reason=reason,
        at=now,
        data={"appeal": appeal.pk},
    )
    inbox.appeal_decided(appeal=appeal)
    return appeal
