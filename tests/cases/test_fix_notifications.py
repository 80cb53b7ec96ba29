"""What a fix verdict and a later fix tell people (notifications to the owner and watchers, emailed) and programs (the
`fix.verdict` webhook event, with the verdict and its before/after figures). Celery runs eagerly; the `on_commit` hooks
of the services run through `django_capture_on_commit_callbacks`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.choices import ActivityVerb, CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.fixes.records import FixInput
from cases.fixes.services import fix_add, fix_verdict_refresh
from cases.models import Notification
from cases.notifications.choices import NotificationKind
from cases.notifications.services import notifications_for_activity
from cases.services import case_transition
from cases.webhooks import services as webhook_services
from cases.webhooks.choices import WebhookEvent
from cases.webhooks.models import Delivery
from tests.factories import ActionItemFactory, CaseFactory, ErrorPatternFactory, UserFactory, audits_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "owner": UserFactory(username="owner1", email="owner1@example.com", role="quality_lead"),
        "watcher": UserFactory(username="watcher1", email="watcher1@example.com", role="manager"),
        "bystander": UserFactory(username="bystander1", email="by@example.com", role="quality_lead"),
    }


def _monitored(people, *, after_errors: int) -> Fix:
    """A case in monitoring (its pattern: none -> bullying_harassment in ID) whose fix took effect 10 days ago, with
    200 audits a window: 40 errors before, `after_errors` after."""
    now = timezone.now()
    audits_bulk(audits=200, errors=40, start=now - timedelta(days=19), end=now - timedelta(days=10), market="ID")
    audits_bulk(audits=200, errors=after_errors, start=now - timedelta(days=10), end=now - timedelta(hours=2))
    case = CaseFactory(
        status=CaseStatus.MONITORING,
        owner=people["owner"],
        watchers=[people["watcher"]],
        pattern=ErrorPatternFactory(),
        monitoring_at=now - timedelta(days=10),
    )
    return Fix.objects.create(case=case, effective_at=now - timedelta(days=10), model_version="live-clf-3.2")


def test_a_fix_that_did_not_hold_notifies_the_owner_and_watchers_with_a_link(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    fix = _monitored(people, after_errors=38)

    with django_capture_on_commit_callbacks(execute=True):
        fix = fix_verdict_refresh(fix)

    assert fix.verdict == FixVerdict.NOT_HOLDING
    notifications = Notification.objects.order_by("recipient__username")
    assert [n.recipient.username for n in notifications] == ["owner1", "watcher1"]
    notification = notifications[0]
    assert notification.kind == NotificationKind.FIX_VERDICT
    assert notification.url == f"/cases/{fix.case_id}/"
    assert f"The fix on {fix.case.key} did not hold (20.0% before, 19.0% after)" in notification.message
    assert "Fix did not hold" in notification.message
    assert sorted(message.to[0] for message in mailoutbox) == ["owner1@example.com", "watcher1@example.com"]


def test_a_holding_fix_says_so_and_an_unchanged_verdict_says_nothing_again(people, django_capture_on_commit_callbacks):
    fix = _monitored(people, after_errors=4)

    with django_capture_on_commit_callbacks(execute=True):
        fix_verdict_refresh(fix)
        fix_verdict_refresh(fix)

    messages = list(Notification.objects.values_list("message", flat=True))
    assert len(messages) == 2
    assert all(f"The fix on {fix.case.key} holds (20.0% before, 2.0% after)" in message for message in messages)


def test_a_later_fix_notifies_the_owner_and_watchers_but_not_its_author(people, django_capture_on_commit_callbacks):
    case = CaseFactory(status=CaseStatus.MONITORING, owner=people["owner"], watchers=[people["watcher"]])

    with django_capture_on_commit_callbacks(execute=True):
        fix_add(case=case, actor=people["owner"], fix=FixInput(guideline_version="2026.11"))

    (notification,) = Notification.objects.all()
    assert (notification.recipient, notification.kind) == (people["watcher"], NotificationKind.FIX_RECORDED)
    assert case.key in notification.message and notification.url == f"/cases/{case.pk}/"


def test_the_fix_recorded_with_the_move_to_monitoring_adds_no_second_notification(
    people, django_capture_on_commit_callbacks
):
    case = CaseFactory(status=CaseStatus.REMEDIATING, owner=people["owner"], watchers=[people["watcher"]])
    ActionItemFactory(case=case, done=True)

    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to=CaseStatus.MONITORING, actor=people["bystander"])

    entry = case.activities.get(verb=ActivityVerb.FIX_RECORDED)
    # The outbox sweep would notify it (a notifying verb); it tells nobody: the move's own notification did.
    assert notifications_for_activity(activity_id=entry.pk) == []
    notified = list(Notification.objects.values_list("recipient__username", "kind"))
    assert notified == [("watcher1", NotificationKind.CASE_STATE_CHANGED)]


def test_a_verdict_is_a_fix_verdict_webhook_event_with_its_figures(people):
    endpoint = webhook_services.endpoint_create(
        name="tracker", url="https://hooks.example.com/rca", events=[WebhookEvent.FIX_VERDICT], owner=people["owner"]
    )
    fix = _monitored(people, after_errors=38)

    fix = fix_verdict_refresh(fix)

    delivery = Delivery.objects.get()
    assert (delivery.endpoint, delivery.event) == (endpoint, "fix.verdict")
    data = delivery.payload["data"]
    assert (data["verdict"], data["previous"]) == ("not_holding", None)
    assert data["case"]["key"] == fix.case.key and data["case"]["url"].endswith(f"/cases/{fix.case_id}/")
    assert (data["before"]["audits"], data["before"]["errors"]) == (200, 40)
    assert (data["after"]["audits"], data["after"]["errors"]) == (200, 38)
    assert data["before"]["rate"] == 0.2 and len(data["after"]["interval"]) == 2
    assert data["test"] == fix.figures["test"] and data["audits_more"] == 0
    assert data["fix"] == {
        "id": fix.pk,
        "effective_at": fix.effective_at.isoformat(),
        "model_version": "live-clf-3.2",
        "guideline_version": "",
        "process_change": "",
    }


def test_other_timeline_entries_are_no_fix_verdict_event(people):
    webhook_services.endpoint_create(
        name="tracker", url="https://hooks.example.com/rca", events=[WebhookEvent.FIX_VERDICT], owner=people["owner"]
    )
    case = CaseFactory(status=CaseStatus.MONITORING, owner=people["owner"])

    fix_add(case=case, actor=people["owner"], fix=FixInput())

    assert not Delivery.objects.exists()
