from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint


class JudgeForm(forms.Form):
    verdict = forms.ChoiceField(label=_("verdict"), choices=Complaint.Verdict.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
