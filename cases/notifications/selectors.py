"""Reads of a user's notifications (the bell and the list page)."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from cases.models import Notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what the list shows already joined."""
    notifications = Notification.objects.filter(recipient=user).select_related("case", "actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")
