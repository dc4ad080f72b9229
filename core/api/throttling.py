from rest_framework.throttling import UserRateThrottle

from core.roles import is_platform_user


class MerchantRateThrottle(UserRateThrottle):
    """Merchants (and anonymous callers) are rate-limited; platform service users are not."""

    scope = "merchant"

    def allow_request(self, request, view) -> bool:
        if request.user and request.user.is_authenticated and is_platform_user(request.user):
            return True
        return super().allow_request(request, view)
