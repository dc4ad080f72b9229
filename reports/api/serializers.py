from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AwareDateTimeField, BoundedListField
from core.audit import MERCHANT_OPS_LABEL, MERCHANT_SYSTEM_LABEL
from reports.models import CommitmentLetter, DeliveryReport, Scenario, UnifiedExemption
from shops.models import Shop


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField(source="region_id")
    name = serializers.CharField(source="region.name")


class ReportCreateSerializer(serializers.Serializer):
    shop = serializers.CharField(max_length=40, help_text="Shop code (one of the caller's shops).")
    scenario = serializers.ChoiceField(choices=Scenario.choices)
    scope = serializers.ChoiceField(choices=DeliveryReport.Scope.choices)
    products = BoundedListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="Product codes of the shop (scope=product).",
    )
    regions = BoundedListField(
        child=serializers.CharField(max_length=12),
        required=False,
        default=list,
        help_text="6-digit GB/T 2260 receiver region codes (scope=region).",
    )
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()
    promised_ship_by = AwareDateTimeField(required=False, allow_null=True, help_text="Default: ends_at.")
    commitment_accepted = serializers.BooleanField(default=False)
    commitment_letter_version = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="The letter version shown to the merchant; refused when it is no longer the current one.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    request_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Idempotency key (or the Idempotency-Key header): a repeat answers 200 with the same report.",
    )


class ReportSerializer(serializers.ModelSerializer):
    shop: "serializers.SlugRelatedField[Shop]" = serializers.SlugRelatedField(slug_field="code", read_only=True)
    products = serializers.SerializerMethodField()
    regions = RegionRefSerializer(source="region_links", many=True, read_only=True)
    expired = serializers.SerializerMethodField(help_text="ends_at has passed (derived, never stored).")
    commitment_letter_version = serializers.CharField(source="commitment_letter.version", read_only=True)
    decided_by = serializers.SerializerMethodField(
        help_text='Merchants: "系统" (automatic) or "平台运营" (never an ops username); ops endpoints: "system" or the '
        "ops username. Null while undecided."
    )

    class Meta:
        model = DeliveryReport
        fields = [
            "report_no",
            "shop",
            "scenario",
            "scope",
            "products",
            "regions",
            "starts_at",
            "ends_at",
            "promised_ship_by",
            "note",
            "status",
            "expired",
            "commitment_letter_version",
            "commitment_accepted_at",
            "submitted_at",
            "approved_at",
            "decided_at",
            "decided_by",
            "withdrawn_at",
            "revoked_at",
            "reason",
            "request_id",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_products(self, obj) -> list[str]:
        return [link.product.code for link in obj.product_links.all()]

    def get_expired(self, obj) -> bool:
        return obj.ends_at < timezone.now()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_by(self, obj):
        for_ops = self.context.get("for_ops", False)
        if obj.decided_by_system:
            return "system" if for_ops else MERCHANT_SYSTEM_LABEL
        if obj.decided_by is None:
            return None
        return obj.decided_by.get_username() if for_ops else MERCHANT_OPS_LABEL


class ReportListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DeliveryReport.Status.choices, required=False)
    scenario = serializers.ChoiceField(choices=Scenario.choices, required=False)
    scope = serializers.ChoiceField(choices=DeliveryReport.Scope.choices, required=False)
    shop = serializers.CharField(required=False)
    order_no = serializers.CharField(required=False)
    expired = serializers.BooleanField(required=False, allow_null=True, default=None)


class CommitmentLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitmentLetter
        fields = ["version", "text", "published_at"]


class ExemptionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    scenario = serializers.ChoiceField(choices=Scenario.choices)
    regions = BoundedListField(child=serializers.CharField(max_length=12), allow_empty=True)
    applies_to = serializers.ChoiceField(choices=UnifiedExemption.AppliesTo.choices)
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()


class ExemptionSerializer(serializers.ModelSerializer):
    regions = RegionRefSerializer(source="region_links", many=True, read_only=True)

    class Meta:
        model = UnifiedExemption
        fields = ["id", "title", "scenario", "applies_to", "regions", "starts_at", "ends_at", "source", "created_at"]
        read_only_fields = fields


class CoverageQuerySerializer(serializers.Serializer):
    at = AwareDateTimeField(required=False, help_text="Default: now.")


class ReasonItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class CandidateReportSerializer(serializers.Serializer):
    report_no = serializers.CharField(source="obj.report_no")
    status = serializers.CharField(source="obj.status")
    scenario = serializers.CharField(source="obj.scenario")
    scope = serializers.CharField(source="obj.scope")
    starts_at = serializers.DateTimeField(source="obj.starts_at")
    ends_at = serializers.DateTimeField(source="obj.ends_at")
    approved_at = serializers.DateTimeField(source="obj.approved_at", allow_null=True)
    withdrawn_at = serializers.DateTimeField(source="obj.withdrawn_at", allow_null=True)
    revoked_at = serializers.DateTimeField(source="obj.revoked_at", allow_null=True)
    promised_ship_by = serializers.DateTimeField(source="obj.promised_ship_by")
    covers = serializers.BooleanField()
    reasons = ReasonItemSerializer(many=True)


class CandidateExemptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="obj.pk")
    title = serializers.CharField(source="obj.title")
    scenario = serializers.CharField(source="obj.scenario")
    applies_to = serializers.CharField(source="obj.applies_to")
    regions = RegionRefSerializer(source="obj.region_links.all", many=True)
    starts_at = serializers.DateTimeField(source="obj.starts_at")
    ends_at = serializers.DateTimeField(source="obj.ends_at")
    covers = serializers.BooleanField()
    reasons = ReasonItemSerializer(many=True)


class VerdictSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="exemption | report")
    report_no = serializers.CharField(allow_null=True)
    exemption_id = serializers.IntegerField(allow_null=True)
    promised_ship_by = serializers.DateTimeField(allow_null=True)


class CoverageSerializer(serializers.Serializer):
    order_no = serializers.CharField(source="order.order_no")
    at = serializers.DateTimeField()
    ship_deadline = serializers.DateTimeField(source="order.ship_deadline")
    receiver_region = serializers.CharField(source="order.receiver_region_id")
    sender_region = serializers.CharField(source="order.sender_region_id")
    covered = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()
    exemptions = CandidateExemptionSerializer(many=True)
    reports = CandidateReportSerializer(many=True)

    def get_covered(self, obj) -> bool:
        return obj.verdict is not None

    @extend_schema_field(VerdictSerializer(allow_null=True))
    def get_verdict(self, obj):
        cover = obj.verdict
        if cover is None:
            return None
        return {
            "kind": cover.kind,
            "report_no": cover.report.report_no if cover.report else None,
            "exemption_id": cover.exemption.pk if cover.exemption else None,
            "promised_ship_by": serializers.DateTimeField().to_representation(cover.report.promised_ship_by)
            if cover.report
            else None,
        }
