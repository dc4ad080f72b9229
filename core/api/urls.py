"""Included last under ``/api/`` (after v1, the schema and the docs): every path nothing else
matched answers a JSON 404."""

from django.urls import re_path

from core.api.views import api_not_found

urlpatterns = [re_path(r"", api_not_found, name="api-not-found")]
