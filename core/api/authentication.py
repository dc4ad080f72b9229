"""``Authorization: Token <key>`` against hashed, expiring tokens (``core.tokens``)."""

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.tokens import token_authenticate


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's header parsing and ``WWW-Authenticate: Token``; the look-up is by SHA-256 digest,
    and a revoked or expired token is refused like an unknown one."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return (token.user, token)
