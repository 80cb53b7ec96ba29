"""The verdict of a fix, from the audits of decisions made after it (see docs/fixes.md).

- **Windows** (by decision time): after = [fix, now); before = the same length ending at the fix. When the fix names
  a model version, the after window keeps only decisions by that version or a later one of the same line
  (`later_versions`).
- **Figures**: audits, errors, rate and Wilson interval of the case's measure in each window; the same for the control
  (the same error kind in comparable traffic outside the slice; for an audit-driven measure, the same decisions audited
  by peers: `cases.measure.counts.comparable_q`), when the measure has one and it has audits in both windows.
- **Tests** (one-sided, `alpha`): the two-proportion z-test of before vs after in the slice (Fisher's exact test when
  the counts are too small for it, `cases.measure.stats`), and the difference-in-differences test of the slice's drop
  against the control's.
- **Verdict**: `holding` when both show a significant drop (the slice's alone when there is no control, or no
  control audits in a window); `not_holding` when both windows hold the audits the test needs
  (`cases.measure.stats.audits_needed`: power `power` to see the rate fall by `relative_drop`) and it is not holding;
  `not_enough_audits` otherwise, with how many more audits of decisions after the fix are needed.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from cases.fixes.choices import FixVerdict
from cases.measure.counts import Tally, Window, comparable_q, window_counts
from cases.measure.definition import Measure
from cases.measure.stats import audits_needed, difference_in_differences, two_proportion_test, wilson_interval
from rca.models import ModerationSample


@dataclass(frozen=True)
class VerdictParams:
    alpha: float = 0.05
    power: float = 0.8
    relative_drop: float = 0.5

    @classmethod
    def from_settings(cls) -> "VerdictParams":
        return cls(
            alpha=settings.FIX_VERDICT_ALPHA, power=settings.FIX_VERDICT_POWER, relative_drop=settings.FIX_VERDICT_DROP
        )


def _version_key(version: str) -> tuple[str, tuple]:
    """(line, numbers): "live-clf-3.10" -> ("live-clf-", (3, ".", 10)); numbers compare as numbers."""
    parts = re.split(r"(\d+)", version)
    return parts[0], tuple(int(part) if part.isdigit() else part for part in parts[1:])


def later_versions(named: str, seen: list[str]) -> list[str]:
    """The versions of `seen` that are `named` or a later one of the same line."""
    line, numbers = _version_key(named)
    return sorted(
        version for version in seen if _version_key(version)[0] == line and _version_key(version)[1] >= numbers
    )


def after_only(measure: Measure, model_version: str, start: datetime, end: datetime) -> Q | None:
    """The decisions that count after a fix naming `model_version` (None: all of them); shared with
    `cases.fixes.regression`."""
    if not model_version:
        return None
    seen = (
        ModerationSample.objects.filter(comparable_q(measure), audited_at__gte=start)
        .filter(decided_at__gte=start, decided_at__lt=end)
        .exclude(model_version="")
        .values_list("model_version", flat=True)
        .distinct()
        .order_by()
    )
    return Q(model_version__in=later_versions(model_version, list(seen)))


def _window_figures(window: Window, tally: Tally) -> dict:
    interval = wilson_interval(tally.errors, tally.audits)
    return {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "audits": tally.audits,
        "errors": tally.errors,
        "rate": tally.rate,
        "interval": list(interval) if interval else None,
    }


def _test_figures(test) -> dict | None:
    if test is None:
        return None
    return {"z": round(test.z, 4), "p_value": float(f"{test.p_value:.6g}"), "method": test.method}


def fix_verdict(
    measure: Measure, *, fix_at: datetime, now: datetime, model_version: str = "", params: VerdictParams
) -> tuple[str, dict]:
    """The verdict and its figures (a JSON-ready dict) for a fix effective at `fix_at`, as of `now`."""
    length = max(now - fix_at, timedelta(0))
    after = Window("after", fix_at, max(now, fix_at), after_only(measure, model_version, fix_at, max(now, fix_at)))
    before = Window("before", fix_at - length, fix_at)
    counts = window_counts(measure, [before, after])
    slice_before, slice_after = counts["before"].slice, counts["after"].slice
    test = two_proportion_test(slice_before.errors, slice_before.audits, slice_after.errors, slice_after.audits)
    control = None
    did = None
    control_before, control_after = counts["before"].control, counts["after"].control
    # A control without audits in a window (no comparable traffic outside the slice) is no control: the slice's own
    # test decides, as for a measure without one.
    if control_before is not None and control_before.audits and control_after.audits:
        control = {
            "before": _window_figures(before, control_before),
            "after": _window_figures(after, control_after),
        }
        did = difference_in_differences(
            (slice_before.errors, slice_before.audits),
            (slice_after.errors, slice_after.audits),
            (control_before.errors, control_before.audits),
            (control_after.errors, control_after.audits),
        )
    needed = (
        audits_needed(slice_before.rate, relative_drop=params.relative_drop, alpha=params.alpha, power=params.power)
        if slice_before.rate is not None
        else None
    )
    dropped = test is not None and test.z > 0 and test.p_value < params.alpha
    # No control, or a control without audits in a window: the slice's own test decides.
    net_of_control = did is None or (did.z > 0 and did.p_value < params.alpha)
    enough = needed is not None and slice_before.audits >= needed and slice_after.audits >= needed
    if dropped and net_of_control:
        verdict = FixVerdict.HOLDING
    elif enough:
        verdict = FixVerdict.NOT_HOLDING
    else:
        verdict = FixVerdict.NOT_ENOUGH_AUDITS
    figures = {
        "fix_at": fix_at.isoformat(),
        "computed_at": now.isoformat(),
        "window_days": round(length.total_seconds() / 86400, 2),
        "model_version": model_version,
        "measure": measure.as_dict(),
        "before": _window_figures(before, slice_before),
        "after": _window_figures(after, slice_after),
        "change": None if test is None else slice_after.rate - slice_before.rate,
        "control": control,
        "test": _test_figures(test),
        "difference_in_differences": _test_figures(did),
        "audits_needed": needed,
        "audits_more": None if needed is None else max(0, needed - slice_after.audits),
        "alpha": params.alpha,
    }
    return verdict.value, figures
