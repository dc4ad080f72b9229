from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput
from notifications import selectors, services
from notifications.api.serializers import NotificationSerializer

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="true: only unread; false: only read; absent: all")])
class NotificationListView(generics.ListAPIView):
    """The caller's own notifications, newest first."""

    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        raw = self.request.query_params.get("unread")
        if raw is not None and raw.lower() not in _BOOLEANS:
            raise InvalidInput("invalid_unread", gettext("unread: must be true or false."))
        unread = None if raw is None else _BOOLEANS[raw.lower()]
        return selectors.notification_list_for_user(user=self.request.user, unread=unread)


class NotificationReadView(APIView):
    """Mark one of the caller's notifications read (another user's id is a 404)."""

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request, pk: int):
        notification = selectors.notification_get_for_user(user=request.user, pk=pk)
        notification = services.notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)
