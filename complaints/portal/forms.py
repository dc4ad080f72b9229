from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All"))] + Complaint.Status.choices)
    verdict = forms.ChoiceField(label=_("verdict"), required=False, choices=[("", _("All"))] + Complaint.Verdict.choices)
    order_no = forms.CharField(label=_("order number"), required=False, max_length=40)


class AppealForm(forms.Form):
    report_no = forms.CharField(
        label=_("report number"), required=False, max_length=40, help_text=_("Pick one of the reports below, or type its number.")
    )
    statement = forms.CharField(
        label=_("statement"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "cols": 60})
    )
