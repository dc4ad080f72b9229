from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.models import Appeal, Complaint
from core.api.fields import BoundedListField, PlatformEventTimeField, refuse, refuse_nul_characters
from core.audit import MERCHANT_OPS_LABEL, MERCHANT_SYSTEM_LABEL
from shops.models import Order


class OrderNoField(serializers.CharField):
    """An order referenced by its number; an unknown number is 400 ``order_not_found``."""

    def to_internal_value(self, data):
        order_no = super().to_internal_value(data)
        refuse_nul_characters(order_no)  # before the look-up (validators run after this)
        order = Order.objects.filter(order_no=order_no).first() if len(order_no) <= 40 else None
        if order is None:
            raise refuse("order_not_found", f"Order {order_no} not found.")
        return order


class ComplaintIngestSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=80)
    order_no = OrderNoField()
    reason = serializers.ChoiceField(choices=Complaint.Reason.choices)
    message = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)
    evidence = BoundedListField(
        child=serializers.URLField(max_length=500),
        required=False,
        default=list,
        max_length=20,
        help_text="Links to the buyer's evidence (stored and shown, never used to judge).",
    )
    filed_at = PlatformEventTimeField()


class BasisSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`exemption` (a unified exemption) or `report` (a delivery report).")
    id = serializers.IntegerField()
    report_no = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class ComplaintSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True)
    shop = serializers.CharField(source="order.shop.code", read_only=True)
    order_amount = serializers.DecimalField(source="order.amount", max_digits=12, decimal_places=2, read_only=True)
    basis = serializers.SerializerMethodField()
    judged_by = serializers.SerializerMethodField()
    # Blank until judged: declared so that the schema's enum admits "" (a read-only model field
    # would drop allow_blank).
    verdict = serializers.ChoiceField(choices=Complaint.Verdict.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "event_id",
            "order_no",
            "shop",
            "order_amount",
            "reason",
            "message",
            "evidence",
            "source",
            "filed_at",
            "status",
            "verdict",
            "basis",
            "penalty",
            "judged_at",
            "judged_by",
            "judgment_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(BasisSerializer(allow_null=True))
    def get_basis(self, obj: Complaint):
        if obj.basis_exemption_id and (e := obj.basis_exemption) is not None:
            return {"kind": "exemption", "id": e.pk, "report_no": None, "title": e.title, "revoked_at": None}
        if obj.basis_report_id and (r := obj.basis_report) is not None:
            return {"kind": "report", "id": r.pk, "report_no": r.report_no, "title": r.report_no, "revoked_at": r.revoked_at}
        return None

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text='Merchants: "系统" or "平台运营" (never an ops username); ops endpoints: the ops username. '
            "Null until judged (and for ops when the system judged).",
        )
    )
    def get_judged_by(self, obj: Complaint):
        if self.context.get("for_ops", False):
            return obj.judged_by.get_username() if obj.judged_by_id and obj.judged_by is not None else None
        if obj.judged_by_id:
            return MERCHANT_OPS_LABEL
        return MERCHANT_SYSTEM_LABEL if obj.judged_at else None


class ComplaintJudgeSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Complaint.Verdict.choices)
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class AppealCreateSerializer(serializers.Serializer):
    complaint = serializers.IntegerField(help_text="The complaint's id (one of your shops').")
    report_no = serializers.CharField(allow_blank=True, required=False, default="", max_length=40)
    statement = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)


class AppealSerializer(serializers.ModelSerializer):
    complaint = serializers.IntegerField(source="complaint_id", read_only=True)
    order_no = serializers.CharField(source="complaint.order.order_no", read_only=True)
    report = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "complaint",
            "order_no",
            "report_no",
            "report",
            "statement",
            "status",
            "reason",
            "requires_prior_report",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The linked report's number, if any."))
    def get_report(self, obj: Appeal):
        return obj.report.report_no if obj.report_id and obj.report is not None else None
