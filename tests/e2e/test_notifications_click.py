"""A notification in a real browser: clicking it in the list marks it read and lands on the comment it is about."""

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Activity, Notification
from cases.notifications.services import notifications_for_activity
from tests.factories import CaseFactory, FindingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clicking_a_mention_marks_it_read_and_lands_on_the_comment(
    page, live_server, login, screenshot, quality_lead, manager
):
    case = CaseFactory(title="Slang insults missed in ID")
    for n in range(6):  # a long room, so that landing on the comment means scrolling to it
        FindingFactory(case=case, statement=f"Finding {n}: the model misses slang variant {n}.")
    comment = services.comment_create(case=case, actor=quality_lead, body=f"@{manager.username} see the queue")
    [notification] = notifications_for_activity(activity_id=Activity.objects.get(verb="commented").pk)
    login(page, manager.username)

    page.goto(f"{live_server.url}/notifications/")
    page.locator(f"#notification-{notification.pk}").get_by_role("link").click()

    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/#comment-{comment.pk}")
    expect(page.locator(f"#comment-{comment.pk}")).to_be_in_viewport()
    expect(page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications: 0 unread")
    screenshot(page, "notification-opened-on-comment")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert not Notification.objects.filter(recipient=manager, read_at__isnull=True).exists()
