"""People are named by their full name everywhere (`cases.people`): notification texts and emails, the timeline, and
"Lea Quality (lead)" in the owner pickers."""

import pytest
from django.core import mail

from cases import services
from cases.models import Activity
from cases.notifications.services import notification_email_send, notifications_for_activity
from tests.factories import ActionItemFactory, CaseFactory


@pytest.fixture
def lea(quality_lead):
    quality_lead.first_name, quality_lead.last_name = "Lea", "Quality"
    quality_lead.save(update_fields=["first_name", "last_name"])
    return quality_lead


@pytest.mark.django_db
def test_mention_notification_and_its_email_name_the_author(lea, manager):
    manager.email = "boss@example.com"
    manager.save(update_fields=["email"])
    case = CaseFactory()
    services.comment_create(case=case, actor=lea, body=f"@{manager.username} look")

    [notification] = notifications_for_activity(activity_id=Activity.objects.get(verb="commented").pk)
    notification_email_send(notification_id=notification.pk)

    assert notification.message.startswith("Lea Quality mentioned you on")
    assert "Lea Quality mentioned you" in mail.outbox[0].body


@pytest.mark.django_db
def test_timeline_names_the_new_owner(client, lea):
    case = CaseFactory()
    services.case_assign(case=case, owner=lea, actor=lea)
    client.force_login(lea)

    html = client.get(f"/cases/{case.pk}/").content.decode()

    assert "assigned the case to <b>Lea Quality</b>" in html


@pytest.mark.django_db
def test_owner_pickers_show_full_name_and_username(client, lea):
    case = CaseFactory()
    ActionItemFactory(case=case)
    client.force_login(lea)

    html = client.get(f"/cases/{case.pk}/").content.decode()

    # The case's owner picker and the action item row's owner picker.
    assert html.count(">Lea Quality (lead)</option>") >= 2
    assert ">lead</option>" not in html
