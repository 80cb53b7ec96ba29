"""Reads of a user's notifications (the bell, the list page) and where one points."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse

from cases.models import Notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what the list shows already joined."""
    notifications = Notification.objects.filter(recipient=user).select_related("case", "actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_target(notification: Notification) -> str:
    """Where opening `notification` lands: its own link (the case room scrolled to the comment, finding or action item
    it is about), an action item's row for the older links that name only the case, the case room, or the list.
    Only a path on this site is followed."""
    url = notification.url
    if not (url.startswith("/") and not url.startswith("//") and "\\" not in url):
        url = f"/cases/{notification.case_id}/" if notification.case_id else ""
    if url and "#" not in url and notification.action_item_id and notification.case_id:
        url = f"{url}#item-{notification.action_item_id}"
    return url or reverse("notification-list")
