"""The application's URLs plus ``/bench/ping/``: authentication + DRF + JSON, no domain work."""

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class BarePing(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        return Response({"ok": True})

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("bench/ping/", BarePing.as_view()),
    path("", include("backoffice.urls")),
]
