"""The 我要报备 form. It only collects input; every rule is the service's (``report_submit``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateTimeField
from reports.models import DeliveryReport, Scenario
from shops.models import Region
from shops.selectors import products_for_user, shops_for_user

#: Which form field shows a service refusal.
ERROR_FIELDS = {
    "commitment_required": "commitment_accepted",
    "window_invalid": "ends_at",
    "window_too_long": "ends_at",
    "window_backdated": "starts_at",
    "promised_ship_by_outside_window": "promised_ship_by",
    "products_required": "products",
    "product_not_in_shop": "products",
    "regions_required": "regions",
    "region_unknown": "district_codes",
    "scope_mismatch": "scope",
    "shop_not_found": "shop",
}


def region_choices() -> list:
    """Provinces and their cities, grouped by province, with Chinese names (one query)."""
    rows = Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY]).order_by("code")
    groups: dict[str, list] = {}
    names: dict[str, str] = {}
    for region in rows:
        province = region.code[:2]
        if region.level == Region.Level.PROVINCE:
            names[province] = region.name
            groups.setdefault(province, []).insert(0, (region.code, _("%(name)s (whole province)") % {"name": region.name}))
        else:
            groups.setdefault(province, []).append((region.code, region.name))
    return [(names.get(p, p), options) for p, options in groups.items()]


class ReportForm(forms.Form):
    shop = forms.ChoiceField(label=_("Shop"))
    scenario = forms.ChoiceField(label=_("Scenario"), choices=Scenario.choices, widget=forms.RadioSelect)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=DeliveryReport.Scope.choices, widget=forms.RadioSelect, initial=DeliveryReport.Scope.SHOP
    )
    products = forms.MultipleChoiceField(label=_("Products"), required=False, widget=forms.CheckboxSelectMultiple)
    regions = forms.MultipleChoiceField(
        label=_("Receiver regions"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12, "class": "region-select"}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several. A province covers all its cities and districts."),
    )
    district_codes = forms.CharField(
        label=_("Districts (codes)"),
        required=False,
        help_text=_("Optional: 6-digit district codes, separated by commas; use the search below to find them."),
    )
    starts_at = BoundedDateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = BoundedDateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    promised_ship_by = BoundedDateTimeField(
        label=_("Promised ship-by time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Shown to buyers. Default: the end of the window."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    commitment_accepted = forms.BooleanField(label=_("I have read and accept the commitment letter above"), required=False)
    commitment_letter_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        shops = list(shops_for_user(user=user).order_by("code"))
        self.fields["shop"].choices = [(s.code, f"{s.name} ({s.code})") for s in shops]
        if len(shops) == 1:
            self.fields["shop"].initial = shops[0].code
        self.product_options = [
            (p.code, p.title, p.shop.code) for p in products_for_user(user=user).order_by("shop__code", "code")
        ]
        self.fields["products"].choices = [(code, f"{title} ({code})") for code, title, _shop in self.product_options]
        self.fields["regions"].choices = region_choices()

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        districts = [c.strip() for c in data["district_codes"].replace("，", ",").split(",") if c.strip()]
        return {
            "scenario": data["scenario"],
            "scope": data["scope"],
            "products": data["products"],
            "regions": list(data["regions"]) + districts,
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "promised_ship_by": data["promised_ship_by"],
            "note": data["note"],
            "commitment_accepted": data["commitment_accepted"],
            "commitment_letter_version": data["commitment_letter_version"],
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=2000)
