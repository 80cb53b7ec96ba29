"""Token authentication whose tokens expire (`API_TOKEN_TTL_HOURS`); an expired token is deleted and refused."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - timedelta(hours=settings.API_TOKEN_TTL_HOURS):
            token.delete()
            raise AuthenticationFailed("Token has expired; request a new one at /api/v1/auth/token/.")
        return user, token
