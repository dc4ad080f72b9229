from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateTimeField
from tickets.models import UrgeTask
from tickets.options import reply_options_active


class TicketFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + list(UrgeTask.Status.choices))
    order_no = forms.CharField(label=_("Order number"), required=False, max_length=40)


class TicketReplyForm(forms.Form):
    """Offers only the options active now; the service re-checks at reply time."""

    option = forms.ChoiceField(label=_("Reply option"))
    promised_ship_by = BoundedDateTimeField(
        label=_("Promised ship-by time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    message = forms.CharField(
        label=_("Message to the buyer"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = list(reply_options_active(timezone.now()))
        self.fields["option"].choices = [(o.code, o.name) for o in self.options]
        self.needs_date = [o.code for o in self.options if o.needs_date]
