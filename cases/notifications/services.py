"""Every write of the notifications: creating them for case events and for the daily reminders, sending their emails,
and marking them read. Called by the Celery tasks in `cases/tasks.py` and by the notification pages.

Nothing is created or sent twice, whatever a task's retries do:
- each notification has a unique `idempotency_key` (`activity:<activity id>:<recipient id>` for events,
  `<kind>:<item or case id>:<due date>` for reminders) and is inserted with `ON CONFLICT DO NOTHING`;
- an event email is sent while its notification row is locked and still has no `emailed_at`, and `emailed_at` is
  stamped in the same transaction (an email that fails to send rolls back, so the retry sends it once);
- each user has one `NotificationDigest` row per day (unique), locked while the digest email is sent and stamped with
  `sent_at`: at most one reminder email a day.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cases import people, permissions
from cases.choices import OPEN_ACTION_ITEM_STATUSES, ActivityVerb, CaseStatus
from cases.fixes.choices import FixVerdict
from cases.models import ActionItem, Activity, Case, Comment, Notification, NotificationDigest, NotifiedActivity
from cases.notifications.choices import REMINDER_KINDS, NotificationKind
from cases.notifications.selectors import notification_target
from cases.notifications.signals import notifications_created
from cases.numbers import format_percent

DUE_SOON_DAYS = 2


def case_url(case_id: int, anchor: str = "") -> str:
    """The case room scrolled to `anchor`: `comment-<id>`, `finding-<id>` or `item-<id>`, the ids the room gives."""
    return f"/cases/{case_id}/" + (f"#{anchor}" if anchor else "")


def _status_label(value: str) -> str:
    return CaseStatus(value).label if value in CaseStatus.values else value


def _actor_name(actor: User | None) -> str:
    return people.display_name(actor) if actor is not None else "The detection pipeline"


def _owner_and_watchers(case: Case) -> tuple[User, ...]:
    users = {user.pk: user for user in case.watchers.filter(is_active=True)}
    if case.owner is not None and case.owner.is_active:
        users.setdefault(case.owner.pk, case.owner)
    return tuple(users.values())


def _fix_verdict_message(case: Case, data: dict) -> str:
    """What a `fix_verdict` entry says: `not_holding` asks for "Fix did not hold" (back to remediating)."""
    verdict = data.get("verdict")
    rates = f"{format_percent((data.get('before') or {}).get('rate'))} before, " + format_percent(
        (data.get("after") or {}).get("rate")
    )
    if verdict == FixVerdict.NOT_HOLDING:
        return f"The fix on {case.key} did not hold ({rates} after): move it back with “Fix did not hold”: {case.title}"
    if verdict == FixVerdict.HOLDING:
        return f"The fix on {case.key} holds ({rates} after): {case.title}"
    more = data.get("audits_more")
    return f"The fix on {case.key} needs {more or 'more'} more audits for a verdict: {case.title}"


# EVENT NOTIFICATIONS
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Event:
    kind: str = ""
    recipients: tuple[User, ...] = ()
    message: str = ""
    url: str = ""
    item: ActionItem | None = None


def _event(activity: Activity) -> _Event:
    """What one timeline entry tells whom, and where it points; no recipients for events nobody is told of."""
    case, data, actor = activity.case, activity.data, activity.actor
    who = _actor_name(actor)
    if activity.verb == ActivityVerb.ASSIGNED and data.get("owner_id"):
        recipients = tuple(User.objects.filter(pk=data["owner_id"], is_active=True))
        message = f"{who} assigned you {case.key}: {case.title}"
        return _Event(NotificationKind.CASE_ASSIGNED, recipients, message, case_url(case.pk))
    if activity.verb in (ActivityVerb.TRANSITIONED, ActivityVerb.REOPENED):
        recipients = tuple(case.watchers.filter(is_active=True))
        source, target = _status_label(data.get("source", "")), _status_label(data.get("target", ""))
        message = f"{case.key} moved from {source} to {target} ({who}): {case.title}"
        return _Event(NotificationKind.CASE_STATE_CHANGED, recipients, message, case_url(case.pk))
    if activity.verb == ActivityVerb.PATTERN_GREW:  # a won't-fix case's pattern doubled (cases.fixes.growth)
        people_told = {user.pk: user for user in (case.owner, *case.watchers.all()) if user and user.is_active}
        before, after = data.get("previous_weekly_errors"), data.get("weekly_errors")
        message = f"{case.key} was set aside, but its pattern doubled ({before} to {after} errors a week): {case.title}"
        return _Event(NotificationKind.PATTERN_GREW, tuple(people_told.values()), message, case_url(case.pk))
    if activity.verb == ActivityVerb.COMMENTED and data.get("comment_id"):
        comment = Comment.objects.filter(pk=data["comment_id"]).first()
        mentioned = list(comment.mentions.filter(is_active=True)) if comment else []
        recipients = tuple(user for user in mentioned if permissions.can_view_case(user, case))
        message = f"{who} mentioned you on {case.key}: {case.title}"
        return _Event(
            NotificationKind.MENTIONED, recipients, message, case_url(case.pk, f"comment-{data['comment_id']}")
        )
    if activity.verb in (ActivityVerb.ACTION_ITEM_ADDED, ActivityVerb.ACTION_ITEM_UPDATED):
        owner_changed = activity.verb == ActivityVerb.ACTION_ITEM_ADDED or "owner" in data.get("changes", {})
        item = ActionItem.objects.select_related("owner").filter(pk=data.get("action_item_id")).first()
        if owner_changed and item is not None and item.owner is not None and item.owner.is_active:
            message = f"{who} assigned you the action item “{item.title}” on {case.key}"
            url = case_url(case.pk, f"item-{item.pk}")
            return _Event(NotificationKind.ACTION_ITEM_ASSIGNED, (item.owner,), message, url, item)
    if activity.verb == ActivityVerb.FIX_VERDICT:
        message = _fix_verdict_message(case, data)
        return _Event(NotificationKind.FIX_VERDICT, _owner_and_watchers(case), message, case_url(case.pk))
    if activity.verb == ActivityVerb.FIX_RECORDED and not data.get("with_move", True):
        # A later fix; the one recorded with the move to monitoring travels with the move's own notification.
        message = f"{who} recorded another fix on {case.key}; the verdict now follows it: {case.title}"
        return _Event(NotificationKind.FIX_RECORDED, _owner_and_watchers(case), message, case_url(case.pk))
    return _Event()


@transaction.atomic
def notifications_for_activity(*, activity_id: int) -> list[Notification]:
    """Create the notifications of one timeline entry (assignment, state change of a watched case, mention, action
    item handed over, a fix verdict or a later fix, a set-aside case's pattern doubling) for everyone concerned but
    its actor; returns them, whether created now or by an earlier try."""
    activity = Activity.objects.select_related("case", "actor").get(pk=activity_id)
    event = _event(activity)
    recipients = [user for user in event.recipients if user.pk != activity.actor_id]
    if not recipients:
        return []
    keys = {user.pk: f"activity:{activity.pk}:{user.pk}" for user in recipients}
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=event.kind,
                case=activity.case,
                action_item=event.item,
                actor=activity.actor,
                message=event.message[:500],
                url=event.url,
                idempotency_key=keys[user.pk],
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    notifications_created.send(sender=Notification, keys=list(keys.values()))
    return list(Notification.objects.filter(idempotency_key__in=keys.values()).order_by("id"))


# OUTBOX
# ------------------------------------------------------------------------------

# The verbs whose timeline entries may notify someone (`_event`), and how far back the sweep looks.
NOTIFYING_VERBS = (
    ActivityVerb.ASSIGNED, ActivityVerb.TRANSITIONED, ActivityVerb.REOPENED, ActivityVerb.COMMENTED,
    ActivityVerb.ACTION_ITEM_ADDED, ActivityVerb.ACTION_ITEM_UPDATED, ActivityVerb.PATTERN_GREW,
    ActivityVerb.FIX_VERDICT, ActivityVerb.FIX_RECORDED,
)  # fmt: skip
OUTBOX_GRACE = timedelta(minutes=5)  # younger entries are left to the task their write enqueued
OUTBOX_WINDOW = timedelta(days=1)
OUTBOX_BATCH = 500


def activity_notified(*, activity_id: int) -> None:
    """Record that a timeline entry's notifications went out (the sweep then leaves it alone)."""
    NotifiedActivity.objects.get_or_create(activity_id=activity_id)


def activities_missed(*, now: datetime | None = None) -> list[int]:
    """Timeline entries of the last day that may notify someone and were not notified, oldest first (at most
    `OUTBOX_BATCH`): their `notify_activity` was never enqueued (the broker was down when the write committed) or
    never finished. Entries younger than `OUTBOX_GRACE` are left to their own task."""
    now = now or timezone.now()
    missed = Activity.objects.filter(
        created_at__gte=now - OUTBOX_WINDOW,
        created_at__lt=now - OUTBOX_GRACE,
        verb__in=NOTIFYING_VERBS,
        notified__isnull=True,
    )
    return list(missed.order_by("created_at", "id").values_list("pk", flat=True)[:OUTBOX_BATCH])


def _email_body(template: str, **context) -> str:
    return render_to_string(template, {"site_url": settings.SITE_URL.rstrip("/"), **context})


def notification_email_send(*, notification_id: int) -> bool:
    """Email one event notification unless it was already emailed; True when an email went out now.

    The row is locked and `emailed_at` stamped in the same transaction as the send: a failed send rolls back (the
    retry sends it), a send that succeeded is never repeated. Recipients without an address get none."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        send_mail(
            subject=f"[RCA] {notification.message}"[:200],
            message=_email_body("notifications/email/event.txt", notification=notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


# REMINDERS AND THE DAILY DIGEST
# ------------------------------------------------------------------------------


def _reminder(kind: str, recipient_id: int, case: Case, item: ActionItem | None, key: str, message: str):
    return Notification(
        recipient_id=recipient_id,
        kind=kind,
        case=case,
        action_item=item,
        message=message[:500],
        url=case_url(case.pk, f"item-{item.pk}" if item is not None else ""),
        idempotency_key=key,
    )


def reminders_create(*, now: datetime | None = None) -> int:
    """Create the reminder notifications due now: action items due within `DUE_SOON_DAYS` days, overdue action items
    (to their owners) and open cases past their SLA (to their owners). One reminder of a kind per item or case and
    due date, so rerunning (or retrying) the same day creates nothing new. Returns how many were created."""
    now = now or timezone.now()
    open_items = ActionItem.objects.filter(
        status__in=OPEN_ACTION_ITEM_STATUSES, owner__isnull=False, owner__is_active=True, due_at__isnull=False
    ).select_related("case")
    reminders = []
    for item in open_items.filter(due_at__gte=now, due_at__lt=now + timedelta(days=DUE_SOON_DAYS)):
        reminders.append(
            _reminder(
                NotificationKind.ACTION_ITEM_DUE_SOON,
                item.owner_id,
                item.case,
                item,
                f"due_soon:item:{item.pk}:{item.due_at.date().isoformat()}",
                f"“{item.title}” on {item.case.key} is due {timezone.localtime(item.due_at):%a %d %b %H:%M}",
            )
        )
    for item in open_items.filter(due_at__lt=now):
        reminders.append(
            _reminder(
                NotificationKind.ACTION_ITEM_OVERDUE,
                item.owner_id,
                item.case,
                item,
                f"overdue:item:{item.pk}:{item.due_at.date().isoformat()}",
                f"“{item.title}” on {item.case.key} is overdue (due {timezone.localtime(item.due_at):%d %b})",
            )
        )
    for case in Case.objects.overdue(now).filter(owner__isnull=False, owner__is_active=True).order_by():
        reminders.append(
            _reminder(
                NotificationKind.CASE_OVERDUE,
                case.owner_id,
                case,
                None,
                f"overdue:case:{case.pk}:{case.due_at.date().isoformat()}",
                f"{case.key} is past its SLA (due {timezone.localtime(case.due_at):%d %b}): {case.title}",
            )
        )
    before = Notification.objects.filter(idempotency_key__in=[r.idempotency_key for r in reminders]).count()
    Notification.objects.bulk_create(reminders, ignore_conflicts=True, batch_size=1000)
    notifications_created.send(sender=Notification, keys=[reminder.idempotency_key for reminder in reminders])
    after = Notification.objects.filter(idempotency_key__in=[r.idempotency_key for r in reminders]).count()
    return after - before


def digest_recipients() -> list[int]:
    """Users with reminders not yet in a digest."""
    return list(
        Notification.objects.filter(kind__in=REMINDER_KINDS, digest__isnull=True)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def digest_send(*, recipient_id: int, day: date) -> NotificationDigest | None:
    """Send `recipient`'s reminder digest for `day`: one email listing every reminder not yet in a digest.

    At most one digest email per user and day: the day's digest row is locked, and a digest with `sent_at` is never
    sent again (later reminders wait for the next day's digest). A user without an email address gets the reminders in
    the app only. Returns the digest, or None when there was nothing to send."""
    with transaction.atomic():
        digest, _ = NotificationDigest.objects.get_or_create(recipient_id=recipient_id, date=day)
        locked = NotificationDigest.objects.select_for_update(of=("self",)).select_related("recipient")
        digest = locked.get(pk=digest.pk)
        if digest.sent_at is not None:
            return digest
        pending = list(
            Notification.objects.filter(recipient_id=recipient_id, kind__in=REMINDER_KINDS, digest__isnull=True)
            .select_related("case")
            .order_by("kind", "created_at", "id")
        )
        if not pending:
            return None
        now = timezone.now()
        recipient = digest.recipient
        if recipient.email:
            send_mail(
                subject=f"[RCA] {len(pending)} reminder(s) for {day:%d %b %Y}",
                message=_email_body("notifications/email/digest.txt", notifications=pending, day=day, user=recipient),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
            )
            digest.sent_at = now
        Notification.objects.filter(pk__in=[notification.pk for notification in pending]).update(
            digest=digest, emailed_at=now if recipient.email else None
        )
        digest.notification_count = len(pending)
        digest.save(update_fields=["sent_at", "notification_count"])
    return digest


# READING
# ------------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of `user`'s notifications read (a guarded update: only unread rows of this user). True if it was."""
    return bool(
        Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def notification_open(*, user: User, notification_id: int) -> str | None:
    """Open one of `user`'s notifications: mark it read and return where it points (`selectors.notification_target`);
    None when `user` has no such notification."""
    notification = (
        Notification.objects.filter(pk=notification_id, recipient=user)
        .only("id", "url", "case_id", "action_item_id")
        .first()
    )
    if notification is None:
        return None
    notification_mark_read(user=user, notification_id=notification.pk)
    return notification_target(notification)


def notifications_mark_all_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark all (or the given) unread notifications of `user` read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
