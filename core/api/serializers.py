from rest_framework import serializers


class ReasonSerializer(serializers.Serializer[None]):
    """The body of a decision action (approve / reject / revoke / withdraw / accept): an optional
    reason; services decide when a reason is required (``reason_required``)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
