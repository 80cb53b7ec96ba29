"""Opening a notification (`/notifications/<id>/open/`): marked read, then off to the comment, finding or action item
it is about; the links a notification carries point at those anchors, and the list links through the open view."""

import pytest
from django.utils import timezone

from cases import services
from cases.choices import ActionItemKind
from cases.models import Activity, Notification
from cases.notifications.choices import NotificationKind
from cases.notifications.services import notifications_for_activity
from tests.factories import ActionItemFactory, CaseFactory, UserFactory


def _notification(user, key: str, *, case=None, item=None, url: str = "") -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=NotificationKind.MENTIONED,
        case=case,
        action_item=item,
        message=f"Message {key}",
        url=url,
        idempotency_key=key,
    )


@pytest.mark.django_db
def test_mention_notification_points_at_the_comment(quality_lead, manager):
    case = CaseFactory()
    comment = services.comment_create(case=case, actor=quality_lead, body=f"@{manager.username} have a look")
    activity = Activity.objects.get(case=case, verb="commented")

    [notification] = notifications_for_activity(activity_id=activity.pk)

    assert notification.url == f"/cases/{case.pk}/#comment-{comment.pk}"


@pytest.mark.django_db
def test_action_item_notification_points_at_the_item(quality_lead):
    owner = UserFactory(username="pat", role="partner")
    case = CaseFactory()
    item = services.action_item_create(
        case=case, actor=quality_lead, title="Retrain", kind=ActionItemKind.MODEL_FIX, owner=owner
    )
    activity = Activity.objects.get(case=case, verb="action_item_added")

    [notification] = notifications_for_activity(activity_id=activity.pk)

    assert notification.url == f"/cases/{case.pk}/#item-{item.pk}"


@pytest.mark.django_db
def test_open_marks_read_and_redirects_to_the_anchor(client, manager):
    case = CaseFactory()
    notification = _notification(manager, "a", case=case, url=f"/cases/{case.pk}/#comment-7")
    client.force_login(manager)

    response = client.get(f"/notifications/{notification.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/#comment-7"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_open_of_an_older_case_link_lands_on_its_action_item(client, manager):
    item = ActionItemFactory()
    notification = _notification(manager, "a", case=item.case, item=item, url=f"/cases/{item.case_id}/")
    client.force_login(manager)

    response = client.get(f"/notifications/{notification.pk}/open/")

    assert response["Location"] == f"/cases/{item.case_id}/#item-{item.pk}"


@pytest.mark.django_db
def test_open_never_follows_an_off_site_link(client, manager):
    case = CaseFactory()
    notification = _notification(manager, "a", case=case, url="//evil.example/")
    client.force_login(manager)

    response = client.get(f"/notifications/{notification.pk}/open/")

    assert response["Location"] == f"/cases/{case.pk}/"


@pytest.mark.django_db
def test_open_of_someone_elses_notification_is_404_and_leaves_it_unread(client, manager, partner):
    theirs = _notification(partner, "theirs", url="/cases/1/")
    client.force_login(manager)

    response = client.get(f"/notifications/{theirs.pk}/open/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_open_of_a_read_notification_still_redirects(client, manager):
    case = CaseFactory()
    notification = _notification(manager, "a", case=case, url=f"/cases/{case.pk}/#finding-3")
    Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    client.force_login(manager)

    response = client.get(f"/notifications/{notification.pk}/open/")

    assert response["Location"] == f"/cases/{case.pk}/#finding-3"


@pytest.mark.django_db
def test_notification_list_links_through_the_open_view(client, manager):
    case = CaseFactory()
    notification = _notification(manager, "a", case=case, url=f"/cases/{case.pk}/#comment-7")
    client.force_login(manager)

    html = client.get("/notifications/").content.decode()

    assert f'href="/notifications/{notification.pk}/open/"' in html
    assert 'href="/cases/' not in html.split('id="notification-')[1]


@pytest.mark.django_db
def test_open_needs_login(client):
    response = client.get("/notifications/1/open/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
