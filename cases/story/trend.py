"""The trend of a case: daily audits and errors of its measure over its life, and the moments that mark it.

- `trend_series`: every day of the trend range (`cases.story.window.trend_range`), days without audits included
  (as zeros: a gap in the audits is part of the story), from `cases.measure.counts.daily_counts`;
- `seen_figures`: first and last day with an error, and how many days had one;
- `case_markers`: opened, each fix (`Fix.effective_at`), each close and each reopen (from the timeline, the case's
  timestamps for a case written without one). Markers are read fresh on each view (two small indexed queries), so a
  stored series never shows a stale status.
"""

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from cases.choices import ActivityVerb, CaseStatus
from cases.fixes.models import Fix
from cases.measure.counts import daily_counts
from cases.measure.definition import Measure
from cases.models import Activity, Case
from cases.story.window import TrendRange


class MarkerKind:
    OPENED = "opened"
    FIX = "fix"
    CLOSED = "closed"
    REOPENED = "reopened"


def trend_series(measure: Measure, span: TrendRange) -> list[dict]:
    """`[{"day": ISO date, "audits", "errors"}]` for every day of `span`, in order."""
    counted = {row.day: row for row in daily_counts(measure, span.start, span.end)}
    days = (span.last_day - span.first_day).days + 1
    series = []
    for offset in range(days):
        day = span.first_day + timedelta(days=offset)
        row = counted.get(day)
        series.append({"day": day.isoformat(), "audits": row.audits if row else 0, "errors": row.errors if row else 0})
    return series


def seen_figures(series: list[dict], *, capped: bool) -> dict:
    """First and last day with an error (ISO dates, or None), the days with one, and whether the first day may be
    earlier than the chart (`capped`: the case is older than the trend range and its first day drawn had errors)."""
    seen = [point["day"] for point in series if point["errors"]]
    return {
        "first_seen": seen[0] if seen else None,
        "last_seen": seen[-1] if seen else None,
        "days_seen": len(seen),
        "first_seen_capped": bool(capped and seen and seen[0] == series[0]["day"]),
    }


def _marker(kind: str, at: datetime, label: str) -> dict:
    return {"kind": kind, "at": at.isoformat(), "label": label}


def _fix_label(fix: Fix) -> str:
    detail = fix.model_version or fix.guideline_version or fix.process_change
    return f"Fix ({detail})" if detail else "Fix"


def case_markers(case: Case) -> list[dict]:
    """`[{"kind", "at", "label"}]` in time order (see the module docstring)."""
    markers = [_marker(MarkerKind.OPENED, case.opened_at, "Opened")]
    for fix in Fix.objects.filter(case=case).order_by("effective_at", "id"):
        markers.append(_marker(MarkerKind.FIX, fix.effective_at, _fix_label(fix)))
    moves = Activity.objects.filter(case=case).filter(
        Q(verb=ActivityVerb.REOPENED) | Q(verb=ActivityVerb.TRANSITIONED, data__target=CaseStatus.CLOSED)
    )
    kinds = set()
    for verb, created_at in moves.order_by("created_at", "id").values_list("verb", "created_at"):
        kind = MarkerKind.REOPENED if verb == ActivityVerb.REOPENED else MarkerKind.CLOSED
        kinds.add(kind)
        markers.append(_marker(kind, created_at, kind.capitalize()))
    if case.closed_at and MarkerKind.CLOSED not in kinds:
        markers.append(_marker(MarkerKind.CLOSED, case.closed_at, "Closed"))
    if case.reopened_at and MarkerKind.REOPENED not in kinds:
        markers.append(_marker(MarkerKind.REOPENED, case.reopened_at, "Reopened"))
    return sorted(markers, key=lambda marker: datetime.fromisoformat(marker["at"]))


def marker_day(marker: dict) -> date:
    """The local day of a marker."""
    return timezone.localtime(datetime.fromisoformat(marker["at"])).date()
