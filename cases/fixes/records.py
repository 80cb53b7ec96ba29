"""Recording a fix, and whether a case's closing is backed by evidence.

Imported by the case services and the workflow table (no service import here, so no cycle): `fix_record` is called by
`cases.services.case_transition` when a case enters monitoring, and by `cases.fixes.services` to add a later fix.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import events
from cases.choices import CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix

CLOCK_SKEW = timedelta(minutes=5)
# A fix older than this says nothing about today's audits (and its before window would reach back twice as far).
MAX_BACKDATE = timedelta(days=366)


@dataclass(frozen=True)
class FixInput:
    """What a lead says about a fix; `effective_at` None means now."""

    effective_at: datetime | None = None
    model_version: str = ""
    guideline_version: str = ""
    process_change: str = ""
    description: str = ""


def fix_input_errors(fix: FixInput, *, now: datetime) -> dict[str, str]:
    errors = {}
    if fix.effective_at is not None and fix.effective_at > now + CLOCK_SKEW:
        errors["effective_at"] = "A fix cannot take effect in the future; record it when it ships."
    elif fix.effective_at is not None and fix.effective_at < now - MAX_BACKDATE:
        errors["effective_at"] = "A fix took effect at most a year ago; an older one says nothing about today's audits."
    for name, limit in (("model_version", 64), ("guideline_version", 64), ("process_change", 200)):
        if len(getattr(fix, name)) > limit:
            errors[name] = f"At most {limit} characters."
    return errors


def fix_record(*, case, fix: FixInput, actor: User | None, now: datetime | None = None, with_move: bool = True) -> Fix:
    """Store the fix (inside the caller's transaction) and write `fix_recorded` on the timeline; `with_move` says
    whether it comes with the move to monitoring (whose own entry tells the watchers) or is a later fix."""
    now = now or timezone.now()
    errors = fix_input_errors(fix, now=now)
    if errors:
        raise ValidationError(errors)
    record = Fix.objects.create(
        case=case,
        effective_at=fix.effective_at or now,
        model_version=fix.model_version.strip(),
        guideline_version=fix.guideline_version.strip(),
        process_change=fix.process_change.strip(),
        description=fix.description.strip(),
        recorded_by=actor,
    )
    changes = dict(record.what_changed)
    events.fix_recorded(
        case,
        actor,
        fix_id=record.pk,
        effective_at=record.effective_at.isoformat(),
        changes=changes,
        with_move=with_move,
    )
    return record


def latest_fix(case) -> Fix | None:
    return Fix.objects.filter(case=case).order_by("-effective_at", "-id").first()


def closure_evidence(case, *, now: datetime | None = None) -> str | None:
    """None when the case may close on evidence: in monitoring, its latest fix `holding`, monitored for at least
    `FIX_MIN_MONITORING_DAYS`; else why not, in words."""
    now = now or timezone.now()
    if case.status != CaseStatus.MONITORING:
        return "The fix has not been monitored yet."
    fix = latest_fix(case)
    if fix is None:
        return "No fix is recorded."
    if fix.verdict != FixVerdict.HOLDING:
        label = FixVerdict(fix.verdict).label.lower() if fix.verdict else "not computed yet"
        more = (fix.figures or {}).get("audits_more")
        extra = f", {more} more audits needed" if fix.verdict == FixVerdict.NOT_ENOUGH_AUDITS and more else ""
        return f"The fix verdict is {label}{extra}."
    monitored = now - (case.monitoring_at or fix.recorded_at)
    minimum = timedelta(days=settings.FIX_MIN_MONITORING_DAYS)
    if monitored < minimum:
        days_left = (minimum - monitored).total_seconds() / 86400
        minimum_days = settings.FIX_MIN_MONITORING_DAYS
        return f"The fix holds, but the case needs {minimum_days} days of monitoring ({days_left:.1f} to go)."
    return None
