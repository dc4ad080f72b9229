"""商家门户: 报备 list with the order-number search, 我要报备, detail with history, coverage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import audit_trail, merchant_actor_label, merchant_colleague_ids
from core.audit_labels import action_label, reason_label
from core.bounds import parse_bounded_datetime
from core.errors import DomainError, NotFound
from core.roles import is_merchant
from reports import selectors, services
from reports.explainer import coverage_explain
from reports.models import DeliveryReport
from reports.portal.forms import AMEND_ERROR_FIELDS, ERROR_FIELDS, AmendForm, ReportForm, WithdrawForm
from shops.selectors import order_get_for_user

PAGE_SIZE = 20


def _can_amend(user, report: DeliveryReport) -> bool:
    """Offer the form when the service could accept an amendment (it still decides)."""
    current = services.report_current_version(report)
    pending = any(a.status == a.Status.PENDING_REVIEW for a in report.amendments.all())
    return (
        is_merchant(user)
        and report.status == DeliveryReport.Status.APPROVED
        and current.ends_at >= timezone.now()
        and not pending
    )


def _require_merchant(request) -> None:
    """Filing and withdrawing are merchants' acts (as on the API); ops reviewers only read."""
    if not is_merchant(request.user):
        raise PermissionDenied


def _my_report(request, report_no: str) -> DeliveryReport:
    try:
        return selectors.report_get_for_merchant(user=request.user, report_no=report_no)
    except NotFound as exc:
        raise Http404(exc.detail) from None


@login_required
def report_list(request):
    """Reports of my shops; the search box finds the report number of an order number."""
    filters = {
        "order_no": request.GET.get("order_no", "").strip(),
        "status": request.GET.get("status", "") if request.GET.get("status") in DeliveryReport.Status.values else "",
    }
    reports = selectors.report_list_for_merchant(user=request.user, filters=filters)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/list.html", {"page": page, "filters": filters, "statuses": DeliveryReport.Status.choices})


@login_required
def report_create(request):
    _require_merchant(request)
    letter = selectors.commitment_letter_current()
    form = ReportForm(
        request.POST or None, user=request.user, initial={"commitment_letter_version": letter.version if letter else ""}
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            shop = selectors.shop_get_for_merchant(user=request.user, code=form.cleaned_data["shop"])
            draft = services.ReportDraft(shop=shop, **form.service_arguments())
            if "preview" in request.POST:  # 预览覆盖范围: the same checks, nothing filed
                preview = services.report_preview(draft=draft)
            else:
                report = services.report_submit(actor=request.user, draft=draft).report
        except DomainError as exc:
            form.add_error(ERROR_FIELDS.get(exc.code), exc.detail)
        else:
            if preview is not None:
                sets = [
                    (_("Open urge tasks"), preview.open_tasks),
                    (_("Orders awaiting shipment"), preview.awaiting_shipment),
                    (_("Pending complaints"), preview.pending_complaints),
                ]
                context = {"form": form, "letter": letter, "preview": preview, "preview_sets": sets}
                return render(request, "reports/create.html", context)
            messages.success(
                request,
                _("Report %(no)s submitted: %(status)s.") % {"no": report.report_no, "status": report.get_status_display()},
            )
            return redirect("reports:portal-detail", report_no=report.report_no)
    return render(request, "reports/create.html", {"form": form, "letter": letter})


@login_required
def report_detail(request, report_no: str, amend_form=None):
    report = _my_report(request, report_no)
    history = []
    colleagues = merchant_colleague_ids(request.user)
    for entry in audit_trail(report):
        label = action_label(entry.action)
        to = str(DeliveryReport.Status(entry.to_status).label) if entry.to_status in DeliveryReport.Status.values else ""
        who = merchant_actor_label(entry.actor, label=entry.actor_label, colleagues=colleagues)
        reason = reason_label(entry.reason)
        history.append({"entry": entry, "label": label, "to": to if to != label else "", "who": who, "reason": reason})
    current = services.report_current_version(report)
    amend_form = amend_form or AmendForm(report=report, current=current)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "current": current,
            "version": getattr(current, "version", 1),
            "amendments": list(report.amendments.all()),
            "can_amend": _can_amend(request.user, report),
            "amend_form": amend_form,
            "history": history,
            "can_withdraw": is_merchant(request.user) and DeliveryReport.Status.WITHDRAWN in services.TRANSITIONS[report.status],
            "withdraw_form": WithdrawForm(),
        },
    )


@login_required
@require_POST
def report_withdraw(request, report_no: str):
    _require_merchant(request)
    report = _my_report(request, report_no)
    form = WithdrawForm(request.POST)
    try:
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.report_withdraw(actor=request.user, report=report, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Report %(no)s withdrawn; it no longer covers orders from now.") % {"no": report.report_no})
    return redirect("reports:portal-detail", report_no=report.report_no)


@login_required
def order_coverage(request):
    """Why is my order covered (or not)? The explainer, for one order number at a time."""
    order_no = request.GET.get("order_no", "").strip()
    at_text = request.GET.get("at", "").strip()
    context = {"order_no": order_no, "at_text": at_text}
    if order_no:
        try:
            at = parse_bounded_datetime(at_text) if at_text else None
        except DomainError as exc:
            context["error"] = exc.detail
            return render(request, "reports/coverage.html", context, status=400)
        try:
            order = order_get_for_user(user=request.user, order_no=order_no)
        except DomainError:
            context["error"] = _("Order %(no)s was not found in your shops.") % {"no": order_no}
        else:
            context["explanation"] = coverage_explain(order=order, at=at or timezone.now())
    return render(request, "reports/coverage.html", context)


@login_required
@require_POST
def report_amend(request, report_no: str):
    """补充报备: a new version of an approved report (extend the window, add products/regions)."""
    _require_merchant(request)
    report = _my_report(request, report_no)
    form = AmendForm(request.POST, report=report, current=services.report_current_version(report))
    if form.is_valid():
        try:
            amendment = services.report_amend(actor=request.user, report=report, **form.service_arguments())
        except DomainError as exc:
            form.add_error(AMEND_ERROR_FIELDS.get(exc.code), exc.detail)
        else:
            messages.success(
                request,
                _("Version %(v)d of report %(no)s filed: %(status)s.")
                % {"v": amendment.version, "no": report.report_no, "status": amendment.get_status_display()},
            )
            return redirect("reports:portal-detail", report_no=report.report_no)
    return report_detail(request, report_no, amend_form=form)
