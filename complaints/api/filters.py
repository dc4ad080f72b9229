import django_filters

from complaints.models import Appeal, Complaint


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Complaint.Status.choices)
    verdict = django_filters.ChoiceFilter(choices=Complaint.Verdict.choices)
    order_no = django_filters.CharFilter(field_name="order__order_no")

    class Meta:
        model = Complaint
        fields = ["status", "verdict", "order_no"]


class AppealFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Appeal.Status.choices)
    order_no = django_filters.CharFilter(field_name="complaint__order__order_no")

    class Meta:
        model = Appeal
        fields = ["status", "order_no"]
