"""Reads of the quality initiatives, as each user may see them.

Quality leads and managers see every initiative. A partner sees the initiatives that one of the cases it may see
serves (`cases.permissions.visible_cases`), and of those only the cases and fixes it may see; anyone else sees none.
The figures of an initiative are aggregate rates of its measure, never an auditor's or a moderator's.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from cases import permissions
from cases.fixes.models import Fix
from cases.initiatives.models import Initiative
from cases.initiatives.progress import Plan, Progress, Week, attach_progress, plan_of, weekly_series
from cases.models import Case


def visible_initiatives(user: User | AnonymousUser) -> QuerySet[Initiative]:
    if permissions.sees_all_cases(user):
        return Initiative.objects.all()
    if not permissions.is_partner(user):
        return Initiative.objects.none()
    served = Initiative.cases.through.objects.filter(
        initiative_id=OuterRef("pk"), case__in=permissions.visible_cases(user).values("pk")
    )
    return Initiative.objects.filter(Exists(served))


def with_visible_cases(queryset: QuerySet[Initiative], user: User | AnonymousUser) -> QuerySet[Initiative]:
    """Owner selected, and the cases the user may see prefetched into `visible_case_list` (by id)."""
    cases = permissions.visible_cases(user, Case.objects.only("id", "title", "status")).order_by("id")
    return queryset.select_related("owner").prefetch_related(
        Prefetch("cases", queryset=cases, to_attr="visible_case_list")
    )


def initiative_list(*, user: User | AnonymousUser, now: datetime | None = None) -> list[Initiative]:
    """Every initiative the user sees, each with its `progress` (two queries and one for all the statuses)."""
    initiatives = list(with_visible_cases(visible_initiatives(user), user).order_by("target_date", "id"))
    return attach_progress(initiatives, now=now)


@dataclass(frozen=True)
class InitiativePage:
    initiative: Initiative
    progress: Progress
    plan: Plan
    weeks: list[Week]
    fixes: list[Fix]
    cases: list[Case]
    today: date


def initiative_page(
    *, user: User | AnonymousUser, initiative_id: int, now: datetime | None = None
) -> InitiativePage | None:
    """An initiative with its progress, weekly series and the fixes of the cases (that the user sees) serving it."""
    now = now or timezone.now()
    initiative = with_visible_cases(visible_initiatives(user), user).filter(pk=initiative_id).first()
    if initiative is None:
        return None
    attach_progress([initiative], now=now)
    today = timezone.localdate(now)
    case_ids = [case.pk for case in initiative.visible_case_list]
    fixes = list(Fix.objects.filter(case_id__in=case_ids).select_related("case").order_by("effective_at", "id"))
    return InitiativePage(
        initiative=initiative,
        progress=initiative.progress,
        plan=plan_of(initiative),
        weeks=weekly_series(initiative, today=today),
        fixes=fixes,
        cases=initiative.visible_case_list,
        today=today,
    )
