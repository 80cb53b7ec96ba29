"""Chat routes: a team's or a user's notifications are posted to a Slack/Teams-compatible incoming webhook (a real
receiver on 127.0.0.1 here), one message per notification, with a one-line summary and an absolute link back."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Notification
from cases.notifications import services as notification_services
from cases.tasks import notify_activity
from cases.webhooks.models import ChatRoute, Delivery
from tests.factories import ActionItemFactory, CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_settings(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.SITE_URL = "https://rca.example.com/"
    return settings


def _texts(receiver) -> list[str]:
    return [json.loads(request.body)["text"] for request in receiver.requests]


def test_a_team_route_posts_one_message_per_notification(
    chat_settings, webhook_receiver, django_capture_on_commit_callbacks
):
    policy = TeamFactory(name="Policy chat", slug="policy-chat")
    ChatRoute.objects.create(team=policy, url=webhook_receiver.url)
    lead = UserFactory(username="lead1", role="quality_lead")
    first = UserFactory(username="policy1", role="partner", teams=[policy])
    second = UserFactory(username="policy2", role="partner", teams=[policy])
    outsider = UserFactory(username="ops1", role="partner")
    case = CaseFactory(title="Slurs missed in live streams")
    for user in (first, second, outsider):
        case.watchers.add(user)

    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(case=case, to="triage", actor=lead)

    assert webhook_receiver.wait_for(2)
    texts = sorted(_texts(webhook_receiver))
    assert len(texts) == 2 == Notification.objects.filter(recipient__teams=policy).count()
    assert texts[0].startswith("@policy1: ") and texts[1].startswith("@policy2: ")
    assert f"<https://rca.example.com/cases/{case.pk}/>" in texts[0]
    assert "\n" not in texts[0] and "Slurs missed in live streams" in texts[0]
    assert webhook_receiver.requests[0].headers["Content-Type"] == "application/json"


def test_a_user_route_gets_the_users_notifications_once_even_when_the_task_runs_again(
    chat_settings, webhook_receiver, django_capture_on_commit_callbacks
):
    lead = UserFactory(username="lead1", role="quality_lead")
    owner = UserFactory(username="ml1", role="partner")
    ChatRoute.objects.create(user=owner, url=webhook_receiver.url)
    item = ActionItemFactory(owner=None)

    with django_capture_on_commit_callbacks(execute=True):
        services.action_item_update(item=item, actor=lead, owner=owner)
    activity_id = item.case.activities.latest("id").pk
    with django_capture_on_commit_callbacks(execute=True):
        notify_activity.apply(args=[activity_id]).get()  # a redelivered task

    assert webhook_receiver.wait_for(1)
    assert len(_texts(webhook_receiver)) == 1 == Delivery.objects.filter(chat_route__user=owner).count()
    assert "assigned you the action item" in _texts(webhook_receiver)[0]


def test_reminders_are_posted_to_chat_too(chat_settings, webhook_receiver, django_capture_on_commit_callbacks):
    owner = UserFactory(username="ops1", role="partner")
    ChatRoute.objects.create(user=owner, url=webhook_receiver.url)
    ActionItemFactory(owner=owner, due_at=timezone.now() - timedelta(days=1), title="Retrain the queue")

    with django_capture_on_commit_callbacks(execute=True):
        created = notification_services.reminders_create()
        again = notification_services.reminders_create()

    assert (created, again) == (1, 0)
    assert webhook_receiver.wait_for(1)
    assert len(webhook_receiver.requests) == 1
    assert "“Retrain the queue”" in _texts(webhook_receiver)[0] and "overdue" in _texts(webhook_receiver)[0]


def test_no_route_no_message(chat_settings, webhook_receiver, django_capture_on_commit_callbacks):
    lead = UserFactory(username="lead1", role="quality_lead")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=CaseFactory(), owner=UserFactory(username="lead2", role="quality_lead"), actor=lead)

    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 0
