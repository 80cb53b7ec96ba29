"""Regression, not recurrence: whether a closed case's pattern is back among decisions made after its fix.

Detection links every new sample of a closed case's pattern to the case (evidence, shown in the room), but the case
reopens only on a **regression** (`cases.services.detection.case_record_pattern`):

- **Fix point**: the latest fix's `effective_at` (`cases.fixes.records.latest_fix`); a case closed without a fix
  record (an override, or closed before fixes were recorded) counts from its `closed_at`. When the fix names a model
  version, only decisions by that version or a later one count, as for the fix verdict (`cases.fixes.verdict`).
- **Figures**: the case's measure (`cases.measure`) over the decisions made since the fix point, against its
  control over the same decisions (the same error kind in comparable traffic outside the slice); a measure without a
  control is compared with the rest of the traffic, as detection's baseline is.
- **Tests**: detection's own, with its thresholds (`rca.detection.params.params_from_settings`) and its statistics
  (`rca.detection.slices.slice_stats`): at least `min_support` audits and `min_errors` errors, a lift of at least
  `min_lift` over the control rate, the Wilson lower bound at `z` above it, and errors on at least `min_days`
  distinct days of decision.

Audits of decisions made before the fix point ("late audits") fall outside these figures, so they never reopen a case.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import Count
from django.utils import timezone

from cases.fixes.records import latest_fix
from cases.fixes.verdict import after_only
from cases.measure.counts import Tally, Window, daily_counts, error_q, population_q, window_counts
from cases.measure.definition import Measure, case_measure
from cases.numbers import format_percent
from rca.detection.params import DetectionParams, params_from_settings
from rca.detection.slices import slice_stats
from rca.models import ModerationSample


@dataclass(frozen=True)
class FixPoint:
    at: datetime
    model_version: str = ""
    by_fix: bool = True  # False: the case was closed without a fix record; it counts from its closing

    @property
    def phrase(self) -> str:
        return f"the {'fix' if self.by_fix else 'closing'} of {self.at:%Y-%m-%d}"


def fix_point(case) -> FixPoint:
    """Where decisions start to count as after the fix (see the module docstring)."""
    fix = latest_fix(case)
    if fix is not None:
        return FixPoint(fix.effective_at, fix.model_version)
    return FixPoint(case.closed_at or case.resolved_at or timezone.now(), by_fix=False)


@dataclass(frozen=True)
class Regression:
    """The figures since the fix point and the tests they fail (none: a regression)."""

    point: FixPoint
    audits: int
    errors: int
    control_audits: int
    control_errors: int
    lift: float
    lower: float
    days: int
    failed: tuple[str, ...]

    @property
    def regressed(self) -> bool:
        return not self.failed

    @property
    def rate(self) -> float | None:
        return self.errors / self.audits if self.audits else None

    @property
    def control_rate(self) -> float | None:
        return self.control_errors / self.control_audits if self.control_audits else None

    @property
    def sentence(self) -> str:
        """The figures in one sentence, e.g. "Regression after the fix of 2026-11-20: 31 errors in 240 audits of
        decisions made since (12.9%, against 1.1% elsewhere), on 5 days." """
        elsewhere = (
            f"against {format_percent(self.control_rate)} elsewhere"
            if self.control_rate is not None
            else "with no audits elsewhere"
        )
        figures = (
            f"{self.errors} error{'s' * (self.errors != 1)} in {self.audits} audit{'s' * (self.audits != 1)} "
            f"of decisions made since ({format_percent(self.rate)}, {elsewhere}), "
            f"on {self.days} day{'s' * (self.days != 1)}"
        )
        if self.regressed:
            return f"Regression after {self.point.phrase}: {figures}."
        return f"No regression since {self.point.phrase}: {figures}; not significant ({', '.join(self.failed)})."


def _surrounding(measure: Measure, window: Window) -> Tally:
    """The measure's errors among all audits of the window outside its population (a measure without a control)."""
    rows = ModerationSample.objects.filter(audited_at__gte=window.start, decided_at__gte=window.start)
    rows = rows.filter(decided_at__lt=window.end).exclude(population_q(measure.population))
    if window.only is not None:
        rows = rows.filter(window.only)
    totals = rows.order_by().aggregate(audits=Count("id"), errors=Count("id", filter=error_q(measure)))
    return Tally(totals["audits"], totals["errors"])


def _failed(tally: Tally, lift: float, lower: float, baseline: float, days: int, params: DetectionParams):
    checks = (
        (tally.audits >= params.min_support, f"fewer than {params.min_support} audits"),
        (tally.errors >= params.min_errors, f"fewer than {params.min_errors} errors"),
        (lift >= params.min_lift, f"less than {params.min_lift:g} times the rate elsewhere"),
        (lower > baseline, f"the Wilson bound at z = {params.z:g} does not clear the rate elsewhere"),
        (days >= params.min_days, f"errors on fewer than {params.min_days} days"),
    )
    return tuple(reason for passed, reason in checks if not passed)


def case_regression(
    case, *, now: datetime | None = None, params: DetectionParams | None = None
) -> tuple[FixPoint, Regression | None]:
    """The case's fix point and, when the case has a measure, the regression test of the decisions made since."""
    now = now or timezone.now()
    params = params or params_from_settings()
    point = fix_point(case)
    measure = case_measure(case)
    if measure is None:
        return point, None
    end = max(now, point.at)
    window = Window("since", point.at, end, after_only(measure, point.model_version, point.at, end))
    counts = window_counts(measure, [window])["since"]
    tally = counts.slice
    control = counts.control if counts.control is not None else _surrounding(measure, window)
    _rate, baseline, lift, lower, _score, _passed = slice_stats(
        np.array([tally.errors]),
        np.array([tally.audits]),
        np.array([tally.errors + control.errors]),
        tally.audits + control.audits,
        params,
    )
    days = sum(1 for day in daily_counts(measure, window.start, window.end, only=window.only) if day.errors)
    lift, lower, baseline = float(lift[0]), float(lower[0]), float(baseline[0])
    return point, Regression(
        point=point,
        audits=tally.audits,
        errors=tally.errors,
        control_audits=control.audits,
        control_errors=control.errors,
        lift=lift,
        lower=lower,
        days=days,
        failed=_failed(tally, lift, lower, baseline, days, params),
    )
