"""The story's figures, computed from a measure: the header, the trend series, the noise test and the unusual values,
in one JSON-ready dict (what `CaseStory.figures` stores and the API exposes).

Queries, all through the measure (`cases.measure`) and by decision time: the slice's error rows, the measure's window
counts, one pass over the window's audits (overall rates), one over the comparable traffic (unusual values), and the
daily counts of the trend range. Markers are not part of it: they are read fresh (`cases.story.trend.case_markers`).

`FORMAT_VERSION` changes when the dict's shape does: stored figures of another version are computed again.
"""

from datetime import datetime

from django.db.models import Min
from django.utils import timezone

from cases.measure.definition import Measure, case_measure, pattern_measure
from cases.models import Case
from cases.story.header import header_figures
from cases.story.noise import noise_figures
from cases.story.rows import MAX_ERROR_ROWS, slice_error_rows
from cases.story.trend import seen_figures, trend_series
from cases.story.unusual import unusual_values
from cases.story.window import WindowBasis, story_window, trend_range
from rca.detection.params import DetectionParams, params_from_settings
from rca.models import ErrorPattern

# 2: the noise test's size counts the slice's support (`header.support`); 3: an auditor pattern's measure names its
# auditors (its control: the same decisions audited by peers).
FORMAT_VERSION = 3


def story_compute(
    measure: Measure | None,
    *,
    now: datetime,
    first_error: datetime | None,
    opened_at: datetime | None = None,
    basis: str = WindowBasis.DETECTION_WINDOW,
    params: DetectionParams | None = None,
) -> dict:
    """The figures of `measure` (see the module docstring); without a measure, a dict saying there is none."""
    figures: dict = {"version": FORMAT_VERSION, "computed_at": now.isoformat()}
    if measure is None:
        return {**figures, "measure": None}
    params = params or params_from_settings()
    window = story_window(now=now, window_days=params.window_days, first_seen=first_error, basis=basis)
    rows = slice_error_rows(measure, window)
    header = header_figures(measure, window, rows)
    span = trend_range(now=now, first_error=first_error, opened_at=opened_at)
    series = trend_series(measure, span)
    complement = header["complement"]
    return {
        **figures,
        "measure": measure.as_dict(),
        "window": window.as_dict(),
        "header": {**header, **seen_figures(series, capped=span.capped)},
        "noise": noise_figures(
            rows,
            audits=header["slice"]["audits"],
            support=header["support"],
            control_rate=complement["rate"] if complement else None,
            params=params,
        ),
        "unusual": unusual_values(measure, window, rows),
        "trend": {"start": span.first_day.isoformat(), "end": span.last_day.isoformat(), "series": series},
        "truncated": len(rows) >= MAX_ERROR_ROWS,
    }


def case_first_error(case: Case) -> datetime | None:
    """When the case's problem was first seen: its pattern's first error, else its earliest linked sample's
    decision."""
    if case.pattern_id is not None and case.pattern.first_seen is not None:
        return case.pattern.first_seen
    return case.sample_links.aggregate(first=Min("sample__decided_at"))["first"]


def case_story_compute(case: Case, *, now: datetime | None = None, basis: str = WindowBasis.DETECTION_WINDOW) -> dict:
    """The figures of the case's measure (`cases.measure.case_measure`) over its life."""
    return story_compute(
        case_measure(case),
        now=now or timezone.now(),
        first_error=case_first_error(case),
        opened_at=case.opened_at,
        basis=basis,
    )


def pattern_story_compute(pattern: ErrorPattern, *, now: datetime | None = None) -> dict:
    """The figures of the pattern's own measure (`pattern_measure`), from its first error."""
    case = getattr(pattern, "case", None)
    return story_compute(
        pattern_measure(pattern),
        now=now or timezone.now(),
        first_error=pattern.first_seen,
        opened_at=case.opened_at if case is not None else None,
    )
