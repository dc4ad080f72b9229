from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle

from core.roles import is_platform_user

if TYPE_CHECKING:
    from rest_framework.views import APIView


class MerchantRateThrottle(UserRateThrottle):
    """Merchants (and anonymous callers) are rate-limited; platform service users are not."""

    scope = "merchant"

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if request.user and request.user.is_authenticated and is_platform_user(request.user):
            return True
        return super().allow_request(request, view)
