"""The user's own settings for the pages (one row per user, created on first change)."""

from django.contrib.auth.models import User
from django.db import transaction

from cases.models import UserPreference


@transaction.atomic
def preference_set(*, user: User, blur_sensitive: bool) -> UserPreference:
    """Store whether sensitive sample text is blurred for `user`. Idempotent; creates the row when missing."""
    preference, _ = UserPreference.objects.update_or_create(user=user, defaults={"blur_sensitive": blur_sensitive})
    return preference
