"""How ops read the audit trail: Chinese names for action codes, audited models and statuses.

The codes stay what services write (machine codes, stable for queries); only the display is
translated. An action not listed here shows its code.
"""

import re

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

#: Labels carry the context "audit action", so they never collide with an app's own msgid.


ACTION_LABELS = {
    # shops (platform ingestion, admin)
    "shop_created": pgettext_lazy("audit action", "Shop created"),
    "shop_changed": pgettext_lazy("audit action", "Shop changed"),
    "shop_member_added": pgettext_lazy("audit action", "Shop member added"),
    "shop_member_removed": pgettext_lazy("audit action", "Shop member removed"),
    "product_created": pgettext_lazy("audit action", "Product created"),
    "order_created": pgettext_lazy("audit action", "Order created"),
    "order_shipped": pgettext_lazy("audit action", "Order shipped"),
    "order_picked_up": pgettext_lazy("audit action", "Order picked up"),
    "order_cancelled": pgettext_lazy("audit action", "Order cancelled"),
    "policy_changed": pgettext_lazy("audit action", "Policy changed"),
    # reports and exemptions
    "report_submitted": pgettext_lazy("audit action", "Report submitted"),
    "report_approved": pgettext_lazy("audit action", "Report approved"),
    "report_rejected": pgettext_lazy("audit action", "Report rejected"),
    "report_revoked": pgettext_lazy("audit action", "Report revoked"),
    "report_withdrawn": pgettext_lazy("audit action", "Report withdrawn"),
    "report_amended": pgettext_lazy("audit action", "Report amendment filed"),
    "report_amendment_approved": pgettext_lazy("audit action", "Report amendment approved"),
    "report_amendment_rejected": pgettext_lazy("audit action", "Report amendment rejected"),
    "commitment_letter_published": pgettext_lazy("audit action", "Commitment letter published"),
    "exemption_created": pgettext_lazy("audit action", "Unified exemption created"),
    "exemption_changed": pgettext_lazy("audit action", "Unified exemption changed"),
    # urge tasks
    "ticket_opened": pgettext_lazy("audit action", "Urge task opened"),
    "ticket_urge_merged": pgettext_lazy("audit action", "Urge merged into the task"),
    "urge_suppressed": pgettext_lazy("audit action", "Urge suppressed by a report"),
    "ticket_replied": pgettext_lazy("audit action", "Urge task replied"),
    "ticket_overdue": pgettext_lazy("audit action", "Urge task overdue"),
    "ticket_opened_mail_sent": pgettext_lazy("audit action", "Task-opened mail sent"),
    # spot checks (workbench)
    "spot_check_sampled": pgettext_lazy("audit action", "Sampled for a spot check"),
    "spot_check_decided": pgettext_lazy("audit action", "Spot check decided"),
    "ticket_reminder_sent": pgettext_lazy("audit action", "Due-soon reminder sent"),
    "reply_option_added": pgettext_lazy("audit action", "Reply option added"),
    "reply_option_changed": pgettext_lazy("audit action", "Reply option changed"),
    # complaints and appeals
    "complaint_filed": pgettext_lazy("audit action", "Complaint filed"),
    "complaint_judged": pgettext_lazy("audit action", "Complaint judged"),
    "complaint_rereviewed": pgettext_lazy("audit action", "Complaint re-reviewed"),
    "complaint_exempted_on_appeal": pgettext_lazy("audit action", "Complaint exempted on appeal"),
    "appeal_filed": pgettext_lazy("audit action", "Appeal filed"),
    "appeal_accepted": pgettext_lazy("audit action", "Appeal accepted"),
    "appeal_rejected": pgettext_lazy("audit action", "Appeal rejected"),
    # badges
    "badge_run_running": pgettext_lazy("audit action", "Badge run started"),
    "badge_run_succeeded": pgettext_lazy("audit action", "Badge run finished"),
    "badge_run_skipped": pgettext_lazy("audit action", "Badge run skipped"),
    "badge_run_failed": pgettext_lazy("audit action", "Badge run failed"),
    # storefront
    "storefront_created": pgettext_lazy("audit action", "Storefront opened"),
    "shop_bound": pgettext_lazy("audit action", "Shop bound"),
    "shop_unbound": pgettext_lazy("audit action", "Shop unbound"),
    "shop_binding_expired": pgettext_lazy("audit action", "Shop binding expired"),
    "pid_bound": pgettext_lazy("audit action", "PID bound"),
    "pid_revoked": pgettext_lazy("audit action", "PID revoked"),
    "listing_added": pgettext_lazy("audit action", "Product listed"),
    "listing_removed": pgettext_lazy("audit action", "Listing removed"),
    "listing_relisted": pgettext_lazy("audit action", "Product listed again"),
    "library_item_created": pgettext_lazy("audit action", "Library item created"),
    "library_item_updated": pgettext_lazy("audit action", "Library item updated"),
    "library_item_recommended": pgettext_lazy("audit action", "Library item recommended"),
    "library_item_unrecommended": pgettext_lazy("audit action", "Library item no longer recommended"),
    "share_token_created": pgettext_lazy("audit action", "Share token created"),
    "share_token_updated": pgettext_lazy("audit action", "Share token updated"),
    "token_issued": pgettext_lazy("audit action", "API token issued"),
    "token_revoked": pgettext_lazy("audit action", "API token revoked"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _model(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def target_label(target_type: str) -> str:
    """``reports.deliveryreport`` → 报备 (the model's verbose name)."""
    model = _model(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def status_label(target_type: str, status: str) -> str:
    """A status value in the audited model's own words (its ``status`` field's choices)."""
    if not status:
        return ""
    model = _model(target_type)
    try:
        field = model._meta.get_field("status") if model is not None else None
        choices = dict(field.flatchoices) if isinstance(field, models.Field) else {}
    except Exception:  # a model without a status field
        choices = {}
    return str(choices.get(status, status))


#: Reasons the system writes (not typed by a person), as stored → as shown. Stored reasons stay
#: stable English (queries and tests match them); the display translates them.
REASON_LABELS = [
    (
        re.compile(r"^no complaint: taobao shop under (?P<policy>[\w.]+)$"),
        gettext_lazy("No complaint filed: a taobao shop under the policy %(policy)s"),
    ),
    (
        re.compile(r"^(?P<policy>[\w.]+) not in force on (?P<day>\d{4}-\d{2}-\d{2})$"),
        gettext_lazy("The policy %(policy)s is not in force on %(day)s"),
    ),
    (re.compile(r"^complaint filed on the buyer's behalf$"), gettext_lazy("Complaint filed on the buyer's behalf")),
    (re.compile(r"^expired$"), gettext_lazy("Binding expired")),
    (re.compile(r"^replaced$"), gettext_lazy("Replaced by a new binding")),
]


def reason_label(reason: str) -> str:
    """An audit reason as shown: a system reason translated, anything typed by a person as is."""
    for pattern, text in REASON_LABELS:
        match = pattern.match(reason or "")
        if match:
            return str(text) % match.groupdict()
    return reason or ""
