"""The notification pages: the list, the bell's unread count in the layout, marking read (one, all), and isolation
between users."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Notification
from cases.notifications.choices import NotificationKind
from tests.factories import CaseFactory

URL = "/notifications/"


def _notification(user, key: str, *, case=None, read=False) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=NotificationKind.CASE_STATE_CHANGED,
        case=case,
        message=f"Message {key}",
        url=f"/cases/{case.pk}/" if case else "",
        idempotency_key=key,
        read_at=timezone.now() if read else None,
    )


@pytest.mark.django_db
def test_notification_list_shows_only_the_users_own_notifications(client, manager, partner):
    _notification(manager, "mine")
    _notification(partner, "theirs")
    client.force_login(manager)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Message mine" in html
    assert "Message theirs" not in html


@pytest.mark.django_db
def test_notification_list_unread_filter_hides_read_ones(client, manager):
    _notification(manager, "new")
    _notification(manager, "old", read=True)
    client.force_login(manager)

    html = client.get(URL, {"unread": "1"}).content.decode()

    assert "Message new" in html
    assert "Message old" not in html


@pytest.mark.django_db
def test_bell_shows_the_unread_count_in_the_layout(client, manager):
    _notification(manager, "a")
    _notification(manager, "b")
    _notification(manager, "c", read=True)
    client.force_login(manager)

    html = client.get(URL).content.decode()

    assert 'id="notification-bell"' in html
    assert 'aria-label="Notifications: 2 unread"' in html


@pytest.mark.django_db
def test_mark_read_marks_one_and_redirects_to_next(client, manager):
    case = CaseFactory()
    notification = _notification(manager, "a", case=case)
    client.force_login(manager)

    response = client.post(f"{URL}{notification.pk}/read/", {"next": f"/cases/{case.pk}/"})

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_mark_read_ignores_an_off_site_next(client, manager):
    notification = _notification(manager, "a")
    client.force_login(manager)

    response = client.post(f"{URL}{notification.pk}/read/", {"next": "https://evil.example/"})

    assert response["Location"] == URL


@pytest.mark.django_db
def test_mark_read_of_someone_elses_notification_is_404(client, manager, partner):
    theirs = _notification(partner, "theirs")
    client.force_login(manager)

    response = client.post(f"{URL}{theirs.pk}/read/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_mark_read_needs_post(client, manager):
    notification = _notification(manager, "a")
    client.force_login(manager)

    assert client.get(f"{URL}{notification.pk}/read/").status_code == 405


@pytest.mark.django_db
def test_mark_all_read_marks_only_the_users_notifications(client, manager, partner):
    _notification(manager, "a")
    _notification(manager, "b")
    theirs = _notification(partner, "c")
    client.force_login(manager)

    response = client.post(f"{URL}read-all/")

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=manager, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_notification_pages_need_login(client):
    assert client.get(URL).status_code == 302
    assert client.post(f"{URL}read-all/").status_code == 302


@pytest.mark.django_db
def test_notification_list_query_count_does_not_grow_with_notifications(client, manager):
    case = CaseFactory()
    for index in range(3):
        _notification(manager, f"few-{index}", case=case)
    client.force_login(manager)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for index in range(40):
        _notification(manager, f"many-{index}", case=CaseFactory())
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)

    assert len(response.context["page"].object_list) == 43
    assert len(many) == len(few)
