"""Merchant portal (Chinese): complaints, their judgment and timeline, appeals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import selectors, services
from complaints.explain import APPEAL_REFUSAL_LABELS
from complaints.models import Appeal, Complaint
from complaints.portal.forms import AppealForm, ComplaintFilterForm
from core.audit import merchant_actor_label, merchant_colleague_ids
from core.audit_labels import action_label, reason_label
from core.errors import DomainError, NotFound
from core.roles import is_merchant

PAGE_SIZE = 20


def _latest_appeal_status():
    return Subquery(Appeal.objects.filter(complaint=OuterRef("pk")).order_by("-created_at", "-id").values("status")[:1])


@login_required
def complaint_list(request):
    form = ComplaintFilterForm(request.GET or None)
    complaints = selectors.complaints_for_user(user=request.user).annotate(latest_appeal=_latest_appeal_status())
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            complaints = complaints.filter(status=data["status"])
        if data["verdict"]:
            complaints = complaints.filter(verdict=data["verdict"])
        if data["order_no"]:
            complaints = complaints.filter(order__order_no=data["order_no"].strip())
    page = Paginator(complaints.order_by("-filed_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "appeal_status_labels": dict(Appeal.Status.choices),
        },
    )


def _appeal_state(complaint: Complaint, user) -> dict:
    """What the appeals service answers for this complaint now (checks 1–3 of §5); shown only."""
    open_appeal = services.appeal_open_of(complaint)
    refusal = services.appeal_refusal(complaint=complaint, now=timezone.now(), open_appeal=open_appeal)
    return {
        "deadline": services.appeal_deadline(complaint),
        "open_appeal": open_appeal,
        "appeal_refusal": refusal,
        "can_appeal": is_merchant(user) and refusal is None,
    }


def _load(request, pk: int) -> Complaint:
    try:
        complaint = selectors.complaint_get_for_user(user=request.user, complaint_id=pk)
    except NotFound:
        raise Http404 from None
    vars(complaint)["appeal_list"] = list(complaint.appeals.select_related("report").order_by("-created_at", "-id"))
    return complaint


@login_required
def complaint_detail(request, pk: int):
    complaint = _load(request, pk)
    colleagues = merchant_colleague_ids(request.user)
    timeline = [
        {
            "entry": e,
            "label": action_label(e.action),
            "reason": reason_label(e.reason),
            "who": merchant_actor_label(e.actor, label=e.actor_label, colleagues=colleagues),
        }
        for e in selectors.complaint_timeline(complaint)
    ]
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "timeline": timeline,
            **_appeal_state(complaint, request.user),
        },
    )


@login_required
def appeal_create(request, pk: int):
    if not is_merchant(request.user):  # appealing is the merchant's act (as on the API); ops only read
        raise PermissionDenied
    complaint = _load(request, pk)
    form = AppealForm(request.POST or None, initial={"report_no": request.GET.get("report_no", "")})
    if request.method == "POST" and form.is_valid():
        try:
            appeal, created = services.appeal_create(actor=request.user, complaint=complaint, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(APPEAL_REFUSAL_LABELS.get(exc.code, exc.detail)))
        else:
            if created:
                messages.success(request, _("Appeal submitted; ops will review it."))
            return redirect("complaints:portal-detail", pk=complaint.pk)
    return render(
        request,
        "complaints/appeal_form.html",
        {
            "complaint": complaint,
            "form": form,
            "candidates": selectors.appeal_report_candidates(complaint),
            **_appeal_state(complaint, request.user),
        },
    )


@login_required
def appeal_list(request):
    appeals = selectors.appeals_for_user(user=request.user).select_related("complaint__order__shop")
    status = request.GET.get("status", "")
    if status in Appeal.Status.values:
        appeals = appeals.filter(status=status)
    page = Paginator(appeals.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/appeals.html",
        {
            "page": page,
            "status": status,
            "statuses": Appeal.Status.choices,
        },
    )
