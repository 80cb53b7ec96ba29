"""Token authentication whose tokens expire (`API_TOKEN_TTL_HOURS`); an expired token is deleted and refused."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def _expires_at(token: Token) -> datetime:
    return token.created + timedelta(hours=settings.API_TOKEN_TTL_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if _expires_at(token) <= timezone.now():
            token.delete()
            raise AuthenticationFailed("Token has expired; request a new one at /api/v1/auth/token/.")
        return user, token


@transaction.atomic
def token_for(user: User) -> tuple[Token, datetime]:
    """The user's current token, or a fresh one when it has none or its token has expired (one token per user)."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and _expires_at(token) <= timezone.now():
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    return token, _expires_at(token)
