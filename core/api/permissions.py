"""DRF permission classes, one per role (see ``core.roles``)."""

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from core.roles import is_merchant, is_ops_reviewer, is_platform_user

if TYPE_CHECKING:
    from rest_framework.views import APIView


class IsPlatform(BasePermission):
    message = "Only platform service users may call this endpoint."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return bool(request.user and request.user.is_authenticated and is_platform_user(request.user))


class IsOpsReviewer(BasePermission):
    message = "Only ops reviewers may call this endpoint."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return bool(request.user and request.user.is_authenticated and is_ops_reviewer(request.user))


class IsMerchant(BasePermission):
    message = "Only merchant members of a shop may call this endpoint."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return bool(request.user and request.user.is_authenticated and is_merchant(request.user))


#: Merchant endpoints are for merchants only (SPEC §9: ops powers come only through the ops
#: endpoints and the admin). The old name stays so a branch written against it still imports,
#: but it no longer lets ops in: merchant data is scoped by membership whoever asks.
IsMerchantOrOps = IsMerchant
