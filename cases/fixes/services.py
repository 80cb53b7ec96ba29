"""Fix verdicts kept current, and what a verdict changes on its case.

- `fix_verdict_refresh` (`cases.fixes.verdict_refresh`, re-exported here): compute the latest fix's verdict from the
  case's measure and store it on the fix; a changed verdict writes `fix_verdict` on the timeline.
- `fixes_refresh`: the beat task's body: every case in monitoring, and closed cases whose verdict is older than a day
  (their after window keeps filling with late audits); a case in monitoring whose fix holds after the minimum period
  is closed on evidence.
- What a lead does through the API: `fix_add` (another fix while monitoring), `fix_verdict_recompute` (the latest
  verdict now).
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cases import permissions
from cases.choices import ActivityVerb, CaseStatus
from cases.fixes.models import Fix
from cases.fixes.records import FixInput, closure_evidence, fix_record, latest_fix
from cases.fixes.verdict_refresh import fix_verdict_refresh
from cases.measure.definition import case_measure
from cases.models import Case
from cases.services import case_transition
from cases.tasks import notify_activity
from cases.workflow import TransitionRefused
from config.api.errors import Refusal

CLOSED_FOLLOW_DAYS = 90  # closed cases' verdicts are refreshed this long after closing


class FixRefused(Refusal):
    """The case's state does not allow it (409): `not_monitoring`, `no_fix`, `no_measure`."""


def _require_lead(actor: User, message: str) -> None:
    if not permissions.can_drive_case(actor):
        raise PermissionDenied(message)


def _latest_fixes(cases) -> list[Fix]:
    latest = {}
    for fix in Fix.objects.filter(case__in=cases).select_related("case").order_by("case_id", "-effective_at", "-id"):
        latest.setdefault(fix.case_id, fix)
    return list(latest.values())


def fixes_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """Refresh the verdicts due (see the module docstring) and close the cases whose fix holds; returns counts."""
    now = now or timezone.now()
    monitoring = Case.objects.filter(status=CaseStatus.MONITORING)
    closed = Case.objects.filter(status=CaseStatus.CLOSED, closed_at__gte=now - timedelta(days=CLOSED_FOLLOW_DAYS))
    counts = {"refreshed": 0, "closed": 0}
    stale_before = now - timedelta(days=1)
    for fix in _latest_fixes(monitoring) + _latest_fixes(closed):
        if fix.case.status == CaseStatus.CLOSED and fix.verdict_at and fix.verdict_at > stale_before:
            continue
        fix = fix_verdict_refresh(fix, now=now)
        counts["refreshed"] += 1
        case = fix.case
        if case.status == CaseStatus.MONITORING and closure_evidence(case, now=now) is None:
            try:
                case_transition(case=case, to=CaseStatus.CLOSED, actor=None, reason="Closed on evidence: fix holds.")
            except TransitionRefused:
                continue  # e.g. action items still open: a lead closes it
            counts["closed"] += 1
    return counts


# WHAT A LEAD DOES
# ------------------------------------------------------------------------------


@transaction.atomic
def fix_add(*, case: Case, actor: User, fix: FixInput) -> Fix:
    """Record another fix on a case in monitoring (quality leads); the verdict follows the latest fix from then on.

    Raises `PermissionDenied`, `FixRefused("not_monitoring")`, or `ValidationError` for bad input (a future
    `effective_at`). Writes `fix_recorded` (its notification goes to the owner and watchers)."""
    _require_lead(actor, "Only quality leads may record fixes.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.MONITORING:
        raise FixRefused(
            "not_monitoring",
            "Fixes are recorded while the case is in monitoring; move it there with its fix "
            '(POST /api/v1/cases/{id}/transition/ {"to": "monitoring", "fix": {...}}).',
        )
    record = fix_record(case=case, fix=fix, actor=actor, with_move=False)
    activity = case.activities.filter(verb=ActivityVerb.FIX_RECORDED).latest("id")
    transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return record


def fix_verdict_recompute(*, case: Case, actor: User) -> Fix:
    """The latest fix's verdict computed now (quality leads), through `fix_verdict_refresh` (which writes `fix_verdict`
    when it changed). Raises `PermissionDenied`, or `FixRefused` when no fix is recorded or nothing can be measured."""
    _require_lead(actor, "Only quality leads may recompute a fix verdict.")
    fix = latest_fix(case)
    if fix is None:
        raise FixRefused("no_fix", "No fix is recorded on this case.")
    if case_measure(case) is None:
        raise FixRefused("no_measure", "This case has nothing to measure: set its measure (PATCH `measure`) first.")
    return fix_verdict_refresh(fix)
