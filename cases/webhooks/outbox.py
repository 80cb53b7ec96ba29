"""Writing the outbox: the deliveries of an event, in the transaction that records the event.

Called from the one place every timeline entry passes (`cases.events._record` -> `activity_recorded`) and, through
the `notifications_created` signal, from the notification services (`notifications_recorded`: chat messages, and
the action-item reminders that are webhook events). Each delivery's key is unique (`<event key>:endpoint:<id>` or
`<notification key>:chat:<route id>`), so a retried task or a rerun writes nothing twice. Its task is enqueued on
commit; if the broker refuses it, the row waits for the `send-pending-deliveries` sweep.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from cases.choices import ActivityVerb
from cases.fixes.models import Fix
from cases.models import ActionItem, Activity, Case, Notification
from cases.notifications.choices import NotificationKind
from cases.webhooks import tasks
from cases.webhooks.choices import CHAT_NOTIFICATION, WebhookEvent
from cases.webhooks.models import ChatRoute, Delivery, WebhookEndpoint

REMINDER_EVENTS = {
    NotificationKind.ACTION_ITEM_DUE_SOON: WebhookEvent.ACTION_ITEM_DUE,
    NotificationKind.ACTION_ITEM_OVERDUE: WebhookEvent.ACTION_ITEM_OVERDUE,
}


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _case_data(case: Case) -> dict:
    return {
        "id": case.pk,
        "key": case.key,
        "title": case.title,
        "status": case.status,
        "severity": case.severity,
        "url": absolute_url(f"/cases/{case.pk}/"),
    }


def _item_data(item: ActionItem) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "status": item.status,
        "owner": item.owner.get_username() if item.owner else None,
        "due_at": item.due_at.isoformat() if item.due_at else None,
    }


# What a `fix.verdict` event carries of the verdict's figures (`cases.fixes.verdict`).
FIX_VERDICT_FIGURES = (
    "before", "after", "change", "control", "test", "difference_in_differences", "audits_needed", "audits_more",
)  # fmt: skip


def _fix_verdict_data(fix: Fix, *, verdict: str, previous: str | None) -> dict:
    figures = fix.figures or {}
    return {
        "verdict": verdict,
        "previous": previous or None,
        "fix": {
            "id": fix.pk,
            "effective_at": fix.effective_at.isoformat(),
            "model_version": fix.model_version,
            "guideline_version": fix.guideline_version,
            "process_change": fix.process_change,
        },
        **{key: figures.get(key) for key in FIX_VERDICT_FIGURES},
    }


def _enqueue(keys: list[str]) -> None:
    for pk in Delivery.objects.filter(key__in=keys).values_list("pk", flat=True):
        transaction.on_commit(lambda pk=pk: tasks.deliver.delay(pk), robust=True)


def subscribers(event: str) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to `event` (one query; an endpoint's `events` is a short JSON list)."""
    return [e for e in WebhookEndpoint.objects.filter(is_active=True).only("id", "events") if event in e.events]


def webhook_event_emit(
    *, event: str, key: str, occurred_at: datetime, data: dict, endpoints: list[WebhookEndpoint] | None = None
) -> int:
    """Write one delivery of `event` for each active endpoint subscribed to it (or each of `endpoints`); the same
    event id for all of them. Returns how many deliveries it asked for (rows already there are left as they are)."""
    endpoints = subscribers(event) if endpoints is None else endpoints
    if not endpoints:
        return 0
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "type": event, "occurred_at": occurred_at.isoformat(), "data": data}
    rows = [
        Delivery(
            endpoint=endpoint,
            key=f"{key}:endpoint:{endpoint.pk}",
            event=event,
            event_id=event_id,
            occurred_at=occurred_at,
            payload=payload,
            next_attempt_at=occurred_at,
        )
        for endpoint in endpoints
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    _enqueue([row.key for row in rows])
    return len(rows)


# FROM THE TIMELINE
# ------------------------------------------------------------------------------

VERB_EVENTS = {
    ActivityVerb.OPENED: WebhookEvent.CASE_OPENED,
    ActivityVerb.TRANSITIONED: WebhookEvent.CASE_TRANSITIONED,
    ActivityVerb.REOPENED: WebhookEvent.CASE_REOPENED,
    ActivityVerb.ASSIGNED: WebhookEvent.CASE_ASSIGNED,
    ActivityVerb.ACTION_ITEM_ADDED: WebhookEvent.ACTION_ITEM_ASSIGNED,
    ActivityVerb.ACTION_ITEM_UPDATED: WebhookEvent.ACTION_ITEM_ASSIGNED,
    ActivityVerb.COMMENTED: WebhookEvent.COMMENT_MENTION,
    ActivityVerb.FIX_VERDICT: WebhookEvent.FIX_VERDICT,
}


def _activity_data(activity: Activity, event: str) -> dict | None:
    """What the event of a timeline entry says beyond its case and actor; None when the entry is not that event
    after all (an action item edited without a new owner, a comment that mentions nobody)."""
    data = activity.data
    if event == WebhookEvent.ACTION_ITEM_ASSIGNED:
        if activity.verb == ActivityVerb.ACTION_ITEM_UPDATED and "owner" not in data.get("changes", {}):
            return None
        item = ActionItem.objects.select_related("owner").filter(pk=data.get("action_item_id")).first()
        return {"action_item": _item_data(item)} if item is not None and item.owner is not None else None
    if event == WebhookEvent.COMMENT_MENTION:
        users = User.objects.filter(mentioned_in__pk=data.get("comment_id")).order_by("username")
        mentioned = list(users.values_list("username", flat=True))
        return {"comment_id": data.get("comment_id"), "mentioned": mentioned} if mentioned else None
    if event == WebhookEvent.FIX_VERDICT:
        fix = Fix.objects.filter(pk=data.get("fix_id")).first()
        return None if fix is None else _fix_verdict_data(fix, verdict=data["verdict"], previous=data.get("previous"))
    fields = ("origin", "source", "target", "reason", "owner")
    return {name: data[name] for name in fields if name in data}


def activity_recorded(activity: Activity) -> int:
    """The webhook deliveries of one new timeline entry (called by `cases.events`, in its transaction): no query for
    the verbs that are no event, one for the others when no endpoint listens."""
    event = VERB_EVENTS.get(activity.verb)
    endpoints = subscribers(event) if event else []
    if not endpoints:
        return 0
    specific = _activity_data(activity, event)
    if specific is None:
        return 0
    actor = activity.actor.get_username() if activity.actor else None
    data = {"case": _case_data(activity.case), "actor": actor, **specific}
    key = f"activity:{activity.pk}"
    return webhook_event_emit(event=event, key=key, occurred_at=activity.created_at, data=data, endpoints=endpoints)


# FROM THE NOTIFICATIONS
# ------------------------------------------------------------------------------


def chat_text(notification: Notification) -> str:
    """The one-line message of a notification (Slack and Teams incoming webhooks both take `{"text": ...}`)."""
    link = absolute_url(notification.url or "/notifications/")
    summary = " ".join(notification.message.split())
    return f"@{notification.recipient.get_username()}: {summary} <{link}>"


def _routes_of(user: User, team_routes: dict[int, ChatRoute], user_routes: dict[int, ChatRoute]) -> list[ChatRoute]:
    routes = [team_routes[team.pk] for team in user.teams.all() if team.pk in team_routes]
    if user.pk in user_routes:
        routes.append(user_routes[user.pk])
    return list({route.pk: route for route in routes}.values())


def notifications_recorded(*, keys: list[str]) -> int:
    """The chat messages of new notifications (one per notification and route of its recipient or the recipient's
    teams) and the webhook events of action-item reminders. Returns how many deliveries were written."""
    notifications = list(
        Notification.objects.filter(idempotency_key__in=keys)
        .select_related("recipient", "case", "action_item__owner")
        .prefetch_related("recipient__teams")
    )
    written = 0
    routes = ChatRoute.objects.filter(is_active=True).filter(
        Q(user__in={n.recipient_id for n in notifications})
        | Q(team__members__in={n.recipient_id for n in notifications})
    )
    routes = list(routes.distinct())
    team_routes = {route.team_id: route for route in routes if route.team_id}
    user_routes = {route.user_id: route for route in routes if route.user_id}
    rows, listening = [], {}
    for notification in notifications:
        for route in _routes_of(notification.recipient, team_routes, user_routes):
            rows.append(
                Delivery(
                    chat_route=route,
                    key=f"{notification.idempotency_key}:chat:{route.pk}"[:200],
                    event=CHAT_NOTIFICATION,
                    occurred_at=notification.created_at,
                    payload={"text": chat_text(notification)},
                    next_attempt_at=notification.created_at,
                )
            )
        event = REMINDER_EVENTS.get(notification.kind)
        if event and notification.action_item is not None and notification.case is not None:
            data = {"case": _case_data(notification.case), "action_item": _item_data(notification.action_item)}
            if event not in listening:
                listening[event] = subscribers(event)
            written += webhook_event_emit(
                event=event,
                key=notification.idempotency_key,
                occurred_at=notification.created_at,
                data=data,
                endpoints=listening[event],
            )
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        _enqueue([row.key for row in rows])
    return written + len(rows)
