"""Notifications for case events and reminders: who is told, what is emailed, and that nothing happens twice.

Celery runs eagerly here (tests run the `on_commit` hooks of `cases.services` with
`django_capture_on_commit_callbacks`); `test_notifications_worker.py` proves the same on a real worker. Emails go to
Django's locmem outbox; the one fake is an email backend that fails once (a boundary we do not own)."""

from datetime import date, timedelta
from smtplib import SMTPException

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from cases import services
from cases.choices import ActionItemKind, ActionItemStatus, CaseStatus
from cases.models import Activity, Notification, NotificationDigest
from cases.notifications import services as notification_services
from cases.notifications.choices import NotificationKind
from cases.tasks import notify_activity, send_daily_reminders
from tests.factories import ActionItemFactory, CaseFactory, UserFactory


class FailingOnceEmailBackend(EmailBackend):
    """The locmem backend, except that the first send after `arm()` raises like an SMTP server that hung up."""

    armed = False

    @classmethod
    def arm(cls) -> None:
        cls.armed = True

    def send_messages(self, messages):
        if FailingOnceEmailBackend.armed:
            FailingOnceEmailBackend.armed = False
            raise SMTPException("421 service not available")
        return super().send_messages(messages)


@pytest.fixture
def lead2(db):
    return UserFactory(username="lead2", email="lead2@example.com", role="quality_lead")


@pytest.fixture
def lead(db):
    return UserFactory(username="lead1", email="lead1@example.com", role="quality_lead")


# EVENTS
# ------------------------------------------------------------------------------


def test_case_assign_notifies_and_emails_the_new_owner(lead, lead2, mailoutbox, django_capture_on_commit_callbacks):
    case = CaseFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=case, owner=lead2, actor=lead)

    (notification,) = Notification.objects.all()
    assert (notification.recipient, notification.kind, notification.actor) == (lead2, "case_assigned", lead)
    assert notification.url == f"/cases/{case.pk}/"
    assert notification.emailed_at is not None
    assert [message.to for message in mailoutbox] == [["lead2@example.com"]]
    assert case.key in mailoutbox[0].subject
    assert f"/cases/{case.pk}/" in mailoutbox[0].body


def test_case_assign_to_oneself_notifies_nobody(lead, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=CaseFactory(), owner=lead, actor=lead)

    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_case_transition_notifies_watchers_but_not_the_actor(
    lead, manager, partner, django_capture_on_commit_callbacks
):
    case = CaseFactory(watchers=[lead, manager, partner])

    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(case=case, to=CaseStatus.TRIAGE, actor=lead)

    notified = set(Notification.objects.values_list("recipient__username", "kind"))
    assert notified == {("boss", "case_state_changed"), ("partner", "case_state_changed")}
    assert "from New to Triage" in Notification.objects.first().message


def test_comment_mentions_notify_the_mentioned_but_not_the_author(
    lead, manager, partner, django_capture_on_commit_callbacks
):
    case = CaseFactory(watchers=[partner])

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(case=case, actor=lead, body="@boss please look, and @partner too; @lead1 noted.")

    notified = set(Notification.objects.values_list("recipient__username", "kind"))
    assert notified == {("boss", "mentioned"), ("partner", "mentioned")}


def test_action_item_owner_is_notified_on_create_and_on_owner_change(lead, partner, django_capture_on_commit_callbacks):
    other = UserFactory(username="other", role="partner")
    case = CaseFactory()

    with django_capture_on_commit_callbacks(execute=True):
        item = services.action_item_create(
            case=case, actor=lead, title="Retrain", kind=ActionItemKind.TRAINING, owner=partner
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.action_item_update(item=item, actor=partner, status=ActionItemStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        services.action_item_update(item=item, actor=lead, owner=other)

    assert list(Notification.objects.order_by("id").values_list("recipient__username", "kind", "action_item")) == [
        ("partner", "action_item_assigned", item.pk),
        ("other", "action_item_assigned", item.pk),
    ]


def test_notify_activity_run_twice_creates_and_emails_once(lead, lead2, mailoutbox):
    case = CaseFactory()
    services.case_assign(case=case, owner=lead2, actor=lead)
    activity = Activity.objects.get(case=case, verb="assigned")

    first = notify_activity.apply(args=[activity.pk]).get()
    second = notify_activity.apply(args=[activity.pk]).get()

    assert (first, second) == (1, 0)
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_notify_activity_retries_a_failed_email_and_sends_it_once(lead, lead2, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.FailingOnceEmailBackend"
    case = CaseFactory()
    services.case_assign(case=case, owner=lead2, actor=lead)
    activity = Activity.objects.get(case=case, verb="assigned")
    FailingOnceEmailBackend.arm()

    result = notify_activity.apply(args=[activity.pk], throw=False)  # throw=False: eager apply() runs the retry

    assert result.get() == 1  # the retry's count: the first attempt raised before sending
    assert FailingOnceEmailBackend.armed is False
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_notification_email_send_skips_users_without_an_address(lead, django_capture_on_commit_callbacks, mailoutbox):
    owner = UserFactory(username="noaddress", email="", role="quality_lead")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=CaseFactory(), owner=owner, actor=lead)

    assert Notification.objects.get().emailed_at is None
    assert mailoutbox == []


# REMINDERS AND DIGEST
# ------------------------------------------------------------------------------


@pytest.fixture
def reminder_items(db):
    """alice: one item due tomorrow, one overdue, one done; bob: one item due in 5 days and one overdue case."""
    now = timezone.now()
    alice = UserFactory(username="alice", email="alice@example.com", role="partner")
    bob = UserFactory(username="bob", email="bob@example.com", role="quality_lead")
    case = CaseFactory(owner=bob, opened_at=now - timedelta(days=20), due_at=now - timedelta(days=6))
    soon = ActionItemFactory(case=case, owner=alice, title="Soon", due_at=now + timedelta(days=1))
    late = ActionItemFactory(case=case, owner=alice, title="Late", due_at=now - timedelta(days=3))
    ActionItemFactory(case=case, owner=alice, title="Done", due_at=now - timedelta(days=3), done=True)
    ActionItemFactory(case=case, owner=bob, title="Later", due_at=now + timedelta(days=5))
    return alice, bob, case, soon, late


def test_reminders_create_makes_due_soon_overdue_and_case_overdue_reminders(reminder_items):
    alice, bob, case, soon, late = reminder_items

    created = notification_services.reminders_create()

    assert created == 3
    assert set(Notification.objects.values_list("recipient", "kind", "action_item", "case")) == {
        (alice.pk, NotificationKind.ACTION_ITEM_DUE_SOON, soon.pk, case.pk),
        (alice.pk, NotificationKind.ACTION_ITEM_OVERDUE, late.pk, case.pk),
        (bob.pk, NotificationKind.CASE_OVERDUE, None, case.pk),
    }


def test_reminders_create_twice_creates_nothing_new(reminder_items):
    notification_services.reminders_create()

    assert notification_services.reminders_create() == 0
    assert Notification.objects.count() == 3


def test_daily_reminders_send_one_digest_email_per_user(reminder_items, mailoutbox):
    send_daily_reminders.apply().get()

    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_recipient) == ["alice@example.com", "bob@example.com"]
    assert "“Soon”" in by_recipient["alice@example.com"].body
    assert "“Late”" in by_recipient["alice@example.com"].body
    assert "past its SLA" in by_recipient["bob@example.com"].body
    assert NotificationDigest.objects.filter(sent_at__isnull=False).count() == 2


def test_daily_reminders_rerun_the_same_day_send_no_second_email(reminder_items, mailoutbox):
    alice, _bob, case, _soon, _late = reminder_items
    send_daily_reminders.apply().get()
    ActionItemFactory(case=case, owner=alice, title="New today", due_at=timezone.now() + timedelta(hours=5))

    send_daily_reminders.apply().get()

    assert len(mailoutbox) == 2
    waiting = Notification.objects.get(action_item__title="New today")
    assert waiting.digest is None  # it waits for tomorrow's digest


def test_digest_send_on_the_next_day_sends_what_waited(reminder_items, mailoutbox):
    alice, _bob, case, _soon, _late = reminder_items
    today = timezone.localdate()
    send_daily_reminders.apply().get()
    ActionItemFactory(case=case, owner=alice, title="New today", due_at=timezone.now() + timedelta(hours=5))
    notification_services.reminders_create()

    digest = notification_services.digest_send(recipient_id=alice.pk, day=today + timedelta(days=1))

    assert digest.notification_count == 1
    assert len(mailoutbox) == 3
    assert "“New today”" in mailoutbox[-1].body


def test_digest_send_after_a_failed_email_sends_once_on_retry(reminder_items, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.cases.test_notifications.FailingOnceEmailBackend"
    alice = reminder_items[0]
    notification_services.reminders_create()
    FailingOnceEmailBackend.arm()

    with pytest.raises(SMTPException):
        notification_services.digest_send(recipient_id=alice.pk, day=date(2026, 11, 25))
    notification_services.digest_send(recipient_id=alice.pk, day=date(2026, 11, 25))
    notification_services.digest_send(recipient_id=alice.pk, day=date(2026, 11, 25))

    assert len(mailoutbox) == 1
    assert NotificationDigest.objects.get(recipient=alice).notification_count == 2


# MARKING READ
# ------------------------------------------------------------------------------


def _notification(user, key: str, **extra) -> Notification:
    return Notification.objects.create(
        recipient=user, kind=NotificationKind.MENTIONED, message=f"Message {key}", idempotency_key=key, **extra
    )


def test_notification_mark_read_is_a_guarded_update(manager, partner):
    mine = _notification(manager, "a")
    theirs = _notification(partner, "b")

    assert notification_services.notification_mark_read(user=manager, notification_id=mine.pk) is True
    assert notification_services.notification_mark_read(user=manager, notification_id=mine.pk) is False
    assert notification_services.notification_mark_read(user=manager, notification_id=theirs.pk) is False
    theirs.refresh_from_db()
    assert theirs.read_at is None
