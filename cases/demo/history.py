"""Time travel for the demo, and only for it: the demo's history is played through the services today (so timelines,
SLA fields, audience and notifications are what a real user's actions produce), then the times those services
stamped are rewritten to when the plan says the work happened.

`happened_at(moment)` wraps one step: every timestamp written since the step began is set to `moment`. It rewrites
rows of every table the services stamp, so it must only wrap demo steps, on a database nobody else is writing to.
The timeline (`Activity`) is append-only in the product (its manager refuses updates, and on PostgreSQL so does a
trigger); the demo sets the times of the entries it has just written, once, in the transaction that wrote them,
through the plain `QuerySet` with the trigger off (`one_transaction`), before anyone has read them. Every step
must therefore run inside `one_transaction`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from cases.fixes.models import Fix
from cases.models import (
    ActionItem,
    Activity,
    Case,
    CaseSample,
    Comment,
    ContributingFactor,
    Finding,
    Notification,
    NotifiedActivity,
)
from cases.services import sla_due_at

# Every timestamp a service stamps with "now" (due dates are set by the caller and are left alone).
STAMPED = (
    (
        Case,
        (
            "opened_at",
            "triaged_at",
            "investigating_at",
            "root_cause_identified_at",
            "remediating_at",
            "monitoring_at",
            "closed_at",
            "resolved_at",
            "reopened_at",
            "updated_at",
        ),
    ),
    (CaseSample, ("linked_at",)),
    (Fix, ("effective_at", "recorded_at", "verdict_at")),
    (Finding, ("created_at", "updated_at")),
    (ActionItem, ("created_at", "updated_at", "completed_at")),
    (Comment, ("created_at",)),
    (ContributingFactor, ("created_at",)),
    (Activity, ("created_at",)),
    (NotifiedActivity, ("notified_at",)),  # the notifications are dated by `one_transaction`
    (Notification, ("created_at", "emailed_at")),
)
READ_AFTER = timedelta(days=7)
APPEND_ONLY_TRIGGER = "cases_activity_append_only"


@contextmanager
def happened_at(moment: datetime) -> Iterator[None]:
    """Run the body (service calls), then date what it stamped to `moment` (which must be in the past)."""
    began = timezone.now()
    if moment >= began:
        raise ValueError(f"A demo step must be in the past ({moment.isoformat()}).")
    with transaction.atomic():
        yield
        for model, fields in STAMPED:
            for name in fields:
                QuerySet(model).filter(**{f"{name}__gte": began}).update(**{name: moment})


@contextmanager
def _timeline_datable() -> Iterator[None]:
    """On PostgreSQL a trigger (migration `cases.0003`) refuses any UPDATE of the timeline. Inside the demo's
    transaction it is switched off, and on again before the commit: DDL is transactional there, so no other session
    ever sees it off, and a failure rolls both back. Needs the table's owner (the role that ran the migrations)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        yield
        return
    table = Activity._meta.db_table
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of rows written are pending events on the table, and an ALTER TABLE refuses
        # to run with any: run them first (rows written earlier in an enclosing transaction, or by the steps).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {APPEND_ONLY_TRIGGER}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {APPEND_ONLY_TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def one_transaction() -> Iterator[None]:
    """Several steps in one transaction (one commit: the demo plays hundreds of steps). The notifications of its
    timeline entries are created when it commits, after the steps were dated, so they are dated here, each as the entry
    it is about (event notifications are keyed `activity:<activity id>:<recipient id>`)."""
    began = timezone.now()
    with transaction.atomic(), _timeline_datable():
        yield
    notified = NotifiedActivity.objects.filter(notified_at__gte=began)
    times = dict(notified.values_list("activity_id", "activity__created_at"))
    notifications = list(Notification.objects.filter(created_at__gte=began).values_list("pk", "idempotency_key"))
    with transaction.atomic():
        for pk, key in notifications:
            kind, _, rest = key.partition(":")
            if kind == "activity" and int(rest.split(":")[0]) in times:
                at = times[int(rest.split(":")[0])]
                Notification.objects.filter(pk=pk).update(created_at=at, emailed_at=at)
        for activity_id, at in times.items():
            NotifiedActivity.objects.filter(activity_id=activity_id).update(notified_at=at)


def date_case_due(case: Case) -> None:
    """The SLA due date follows the (rewritten) opening time, as `case_open` computed it from "now"."""
    case.refresh_from_db(fields=["opened_at", "severity"])
    case.due_at = sla_due_at(severity=case.severity, opened_at=case.opened_at)
    Case.objects.filter(pk=case.pk).update(due_at=case.due_at)


def read_old_notifications(*, now: datetime) -> int:
    """The demo users have read what they were notified of more than a week ago (a couple of hours after)."""
    old = Notification.objects.filter(read_at__isnull=True, created_at__lt=now - READ_AFTER)
    return old.update(read_at=F("created_at") + timedelta(hours=2))
