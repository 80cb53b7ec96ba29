"""`notification_unread_count` for the bell in the base layout: a callable, so the count query runs only on pages
that render the bell, and at most once per request."""

from functools import cache

from cases.notifications.selectors import unread_count


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def notification_unread_count() -> int:
        return unread_count(user)

    return {"notification_unread_count": notification_unread_count}
