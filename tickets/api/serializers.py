from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AwareDateTimeField, PlatformEventTimeField
from tickets.models import ReplyOption, Urge, UrgeTask
from tickets.selectors import help_seeking_rate

if TYPE_CHECKING:
    from complaints.models import Complaint


def inline_enum_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose OpenAPI enum stays inline (``allOf``) instead of a shared named
    component: ``status``/``outcome`` carry different choice sets across the apps' APIs, and
    spectacular's enum naming would collide (a warning, which CI fails on)."""
    values = [value for value, _label in choices]
    field_class = extend_schema_field(
        {
            "allOf": [{"type": "string", "enum": values}],
            "description": f"One of: {', '.join(values)}.",
        }
    )(type("InlineChoiceField", (serializers.ChoiceField,), {}))
    return field_class(choices=choices, **kwargs)


class UrgeIngestSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=80)
    order_no = serializers.CharField(max_length=40)
    urged_at = PlatformEventTimeField()


class TicketSnapshotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_no = serializers.CharField()
    status = inline_enum_field(UrgeTask.Status.choices)
    opened_at = serializers.DateTimeField()
    reply_due_at = serializers.DateTimeField()
    urge_count = serializers.IntegerField()


class UrgeAnswerSerializer(serializers.Serializer):
    """The answer to an urge (documentation only: the stored answer is returned as recorded)."""

    outcome = inline_enum_field(Urge.Outcome.choices)
    ticket = TicketSnapshotSerializer(required=False)
    report_no = serializers.CharField(required=False)
    promised_ship_by = serializers.DateTimeField(required=False)


class ReplyOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReplyOption
        fields = ["code", "name", "needs_date"]


class TicketSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True)
    shop = serializers.CharField(source="shop.code", read_only=True)
    reply_option: "serializers.SlugRelatedField[ReplyOption]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    reply_option_name = serializers.SerializerMethodField()
    complaint: "serializers.PrimaryKeyRelatedField[Complaint]" = serializers.PrimaryKeyRelatedField(
        source="complaint_id", read_only=True
    )
    status = inline_enum_field(UrgeTask.Status.choices, read_only=True)

    class Meta:
        model = UrgeTask
        fields = [
            "id",
            "order_no",
            "shop",
            "status",
            "opened_at",
            "reply_due_at",
            "urge_count",
            "reply_option",
            "reply_option_name",
            "reply_message",
            "promised_ship_by",
            "replied_at",
            "overdue_at",
            "complaint",
            "complaint_waived",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reply_option_name(self, task) -> str | None:
        return task.reply_option.name if task.reply_option_id else None


class UrgeSerializer(serializers.ModelSerializer):
    report_no = serializers.CharField(source="report.report_no", read_only=True, default=None, allow_null=True)
    outcome = inline_enum_field(Urge.Outcome.choices, read_only=True)

    class Meta:
        model = Urge
        fields = ["event_id", "urged_at", "outcome", "report_no", "received_at"]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    urges = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "urges"]
        read_only_fields = fields

    @extend_schema_field(UrgeSerializer(many=True))
    def get_urges(self, task) -> list:
        return list(UrgeSerializer(task.urges.select_related("report").order_by("urged_at", "pk"), many=True).data)


class TicketReplySerializer(serializers.Serializer):
    option = serializers.CharField(max_length=40)
    message = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    promised_ship_by = AwareDateTimeField(required=False, allow_null=True, default=None)


class MetricDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    tasks_opened = serializers.IntegerField()
    replied_on_time = serializers.IntegerField()
    replied_late = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Tasks due that day and not replied on time.")
    complaints = serializers.IntegerField()
    paid_orders = serializers.IntegerField()


class ServiceMetricSerializer(serializers.Serializer):
    shop = serializers.CharField(source="code")
    shop_name = serializers.CharField(source="name")
    window_start = serializers.SerializerMethodField()
    window_end = serializers.SerializerMethodField()
    tasks_opened = serializers.IntegerField(source="total_tasks_opened")
    replied_on_time = serializers.IntegerField(source="total_replied_on_time")
    replied_late = serializers.IntegerField(source="total_replied_late")
    overdue = serializers.IntegerField(source="total_overdue")
    complaints = serializers.IntegerField(source="total_complaints")
    paid_orders = serializers.IntegerField(source="total_paid_orders")
    help_seeking_rate = serializers.SerializerMethodField()
    daily = MetricDaySerializer(source="metric_days", many=True)

    @extend_schema_field(serializers.DateField())
    def get_window_start(self, shop):
        return self.context["window_start"]

    @extend_schema_field(serializers.DateField())
    def get_window_end(self, shop):
        return self.context["window_end"]

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True))
    def get_help_seeking_rate(self, shop):
        rate = help_seeking_rate(shop)
        return None if rate is None else str(rate)
