from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound
from tickets import selectors, services
from tickets.models import UrgeTask
from tickets.portal.charts import metric_chart
from tickets.portal.forms import TicketFilterForm, TicketReplyForm
from tickets.services.metrics import shanghai_today

PAGE_SIZE = 20
METRIC_DAYS = 30
ERROR_MESSAGES = {
    "reply_option_retired": gettext_lazy("This reply option has been retired and can no longer be chosen."),
    "reply_option_unknown": gettext_lazy("Unknown reply option."),
    "reply_option_not_active": gettext_lazy("This reply option is not available yet."),
    "promised_ship_by_required": gettext_lazy("This reply option needs the time by which the order will ship."),
    "promised_ship_by_in_past": gettext_lazy("The promised ship-by time must be in the future."),
    "ticket_already_replied": gettext_lazy("This task has already been replied to."),
    "message_too_long": gettext_lazy("The message is too long."),
}


def _task_or_404(getter, *, user, pk):
    try:
        return getter(user=user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def ticket_list(request):
    """催发货任务: the caller's shops' tasks with a live countdown to each due time."""
    form = TicketFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = selectors.ticket_list_for_user(
        user=request.user, status=filters.get("status") or None, order_no=filters.get("order_no") or None
    )
    counts = selectors.ticket_counts_for_user(user=request.user)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tickets/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": [(value, label, counts.get(value, 0)) for value, label in UrgeTask.Status.choices],
        },
    )


@login_required
def ticket_detail(request, pk: int):
    task = _task_or_404(selectors.ticket_get_for_user, user=request.user, pk=pk)
    return _detail(request, task, TicketReplyForm())


def _detail(request, task, form, status=200):
    return render(
        request,
        "tickets/detail.html",
        {
            "task": task,
            "form": form,
            "can_reply": services.ticket_reply_refusal(actor=request.user, task=task) is None,
            "urges": selectors.urges_of_task(task=task).select_related("report"),
        },
        status=status,
    )


@login_required
@require_POST
def ticket_reply(request, pk: int):
    task = _task_or_404(selectors.ticket_get_for_reply, user=request.user, pk=pk)
    form = TicketReplyForm(request.POST)
    if form.is_valid():
        try:
            task = services.ticket_reply(
                actor=request.user,
                task=task,
                option=form.cleaned_data["option"],
                message=form.cleaned_data["message"],
                promised_ship_by=form.cleaned_data["promised_ship_by"],
            )
        except DomainError as exc:
            form.add_error(None, ERROR_MESSAGES.get(exc.code, exc.detail))
        else:
            if task.status == UrgeTask.Status.REPLIED:
                messages.success(request, _("Reply recorded."))
            else:
                messages.warning(request, _("Reply recorded after the due time (replied late)."))
            return redirect("tickets:portal-detail", pk=task.pk)
    task.refresh_from_db()
    return _detail(request, task, form, status=400)


@login_required
def service_metrics(request):
    """灯塔 求助率: rolling 30-day rate per shop and the daily series as a chart."""
    last_day = shanghai_today()
    first_day = last_day - timedelta(days=METRIC_DAYS - 1)
    shops = list(selectors.service_metrics_for_user(user=request.user, last_day=last_day, days=METRIC_DAYS))
    for shop in shops:
        shop.rate = selectors.help_seeking_rate(shop)
        shop.rate_percent = None if shop.rate is None else (shop.rate * 100).quantize(Decimal("0.01"))
        shop.chart = metric_chart(shop.metric_days, first_day=first_day, days=METRIC_DAYS)
    return render(request, "tickets/metrics.html", {"shops": shops, "first_day": first_day, "last_day": last_day})
