"""Reads for the home page ("my work"): a user's open action items, the cases they own, the overdue ones among their
cases and the ones they follow; for a manager, the open cases by status and severity and the overdue work of every
team. Every list is capped and every count runs on indexed columns.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases import permissions
from cases.audience import user_key
from cases.choices import OPEN_ACTION_ITEM_STATUSES, OPEN_STATUSES, CaseStatus, Severity
from cases.models import ActionItem, Case
from cases.selectors import open_item_count, sla_state


@dataclass
class MyWork:
    action_items: list[ActionItem]
    owned_cases: list[Case]
    overdue_cases: list[Case]
    watched_cases: list[Case]
    open_count: int
    overdue_count: int
    # A manager's overview: open cases by status (rows) and severity (columns), and overdue action items of all teams.
    open_matrix: list[tuple[str, str, list[tuple[str, int]], int]] = field(default_factory=list)
    severity_totals: list[int] = field(default_factory=list)
    overdue_items: list[ActionItem] = field(default_factory=list)
    overdue_item_count: int = 0
    is_overview: bool = False


MY_WORK_LIMIT = 20


def _manager_overview(work: "MyWork", open_scope: QuerySet[Case], now: datetime) -> None:
    """Fill in a manager's overview (managers see every case): two grouped counts and one capped list."""
    work.is_overview = True
    counts = {
        (status, sev): n
        for status, sev, n in open_scope.order_by().values_list("status", "severity").annotate(n=Count("*"))
    }
    for value, label in CaseStatus.choices:
        if value in OPEN_STATUSES:
            row = [(severity, counts.get((value, severity), 0)) for severity in Severity.values]
            work.open_matrix.append((value, label, row, sum(n for _, n in row)))
    work.severity_totals = [sum(counts.get((status, severity), 0) for status in OPEN_STATUSES) for severity in Severity]
    overdue = ActionItem.objects.filter(status__in=OPEN_ACTION_ITEM_STATUSES, due_at__lt=now)
    work.overdue_item_count = overdue.count()
    work.overdue_items = list(overdue.select_related("case", "owner", "team").order_by("due_at", "id")[:MY_WORK_LIMIT])


def _my_scope(user: User) -> QuerySet[Case]:
    """The cases "my work" is about: a partner's visible cases, a manager's every case, otherwise owned or watched.

    Watched is read from the case's audience (`cases.audience`, where every watcher, and every owner of one of its
    action items, has a key): an OR of two indexed columns, which PostgreSQL combines with a bitmap, rather than a
    join with the watchers.
    """
    visible = permissions.visible_cases(user)
    if permissions.is_partner(user) or (permissions.is_manager(user) and not permissions.is_quality_lead(user)):
        return visible
    return visible.filter(Q(owner=user) | Q(audience__has_key=user_key(user.pk)))


def _case_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """A "my work" list: owner joined, open action items counted, soonest due first."""
    return cases.select_related("owner").annotate(open_items=open_item_count()).order_by("due_at", "id")


def my_work(*, user: User) -> MyWork:
    """The home page: the user's own open action items first, then the cases they own, the overdue ones among their
    cases, and the ones they follow (for a partner: every case shared with it). A manager (who owns nothing) gets the
    overview instead: every open case counted by status and severity, the overdue cases and action items of all teams.

    Every list is capped and every count runs on indexed columns, so the page stays quick on 100,000 cases.
    """
    now = timezone.now()
    visible = permissions.visible_cases(user)
    scope = _my_scope(user)
    items = list(
        ActionItem.objects.filter(owner=user, status__in=OPEN_ACTION_ITEM_STATUSES, case__in=visible.values("pk"))
        .select_related("case", "team")
        .order_by("due_at", "id")[:MY_WORK_LIMIT]
    )
    open_scope = scope.filter(status__in=OPEN_STATUSES)
    overdue_scope = open_scope.filter(due_at__lt=now)
    owned: list[Case] = []
    if not permissions.is_partner(user):
        owned = list(_case_rows(visible.filter(owner=user, status__in=OPEN_STATUSES))[:MY_WORK_LIMIT])
    # A partner's shared list is sorted by due date, overdue first: a second pass for an overdue list would repeat it.
    overdue: list[Case] = []
    if not permissions.is_partner(user):
        overdue = list(_case_rows(overdue_scope)[:MY_WORK_LIMIT])
    followed = open_scope if permissions.is_partner(user) else open_scope.exclude(owner=user)
    if permissions.is_manager(user) and not permissions.is_quality_lead(user):
        followed = open_scope.filter(audience__has_key=user_key(user.pk))
    watched = list(_case_rows(followed)[:MY_WORK_LIMIT])
    for case in (*owned, *overdue, *watched):
        case.sla = sla_state(case, now)
    for item in items:
        item.is_overdue = bool(item.due_at and item.due_at < now)
    totals = open_scope.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    work = MyWork(items, owned, overdue, watched, totals["open"], totals["overdue"])
    if permissions.is_manager(user) and not permissions.is_quality_lead(user):
        _manager_overview(work, open_scope, now)
    for item in work.overdue_items:
        item.is_overdue = True
    return work
