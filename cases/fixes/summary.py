"""A fix and its verdict as people read them: the case room's "Fix and verdict" panel, the write-up (page and
Markdown) and the timeline's sentences for the fix events all come from here, so they say the same thing.

`fix_summary` reads only the `Fix` row (its stored figures: `cases.fixes.verdict`); `case_fix_summaries` is the one
query of a case's fixes. Rates are written by `cases.numbers.format_percent` (never "0.0%" above zero).
"""

from dataclasses import dataclass
from datetime import datetime

from cases import people
from cases.choices import ActivityVerb
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.numbers import MISSING, format_percent

NOT_COMPUTED = "Not computed yet"
_VERDICT_LABELS = dict(FixVerdict.choices)


@dataclass(frozen=True)
class WindowFigures:
    """Audits and errors of decisions made in [start, end), with the error rate and its 95% Wilson interval."""

    start: datetime | None
    end: datetime | None
    audits: int
    errors: int
    rate: float | None
    interval: tuple[float, float] | None

    @property
    def rate_text(self) -> str:
        return format_percent(self.rate)

    @property
    def interval_text(self) -> str:
        if self.interval is None:
            return MISSING
        return f"{format_percent(self.interval[0])} to {format_percent(self.interval[1])}"


@dataclass(frozen=True)
class FixSummary:
    pk: int
    effective_at: datetime
    recorded_at: datetime
    recorded_by: str
    changes: list[tuple[str, str]]
    description: str
    verdict: str  # a FixVerdict value, or "" before the first computation
    verdict_label: str
    verdict_at: datetime | None
    audits_needed: int | None
    audits_more: int | None
    before: WindowFigures | None
    after: WindowFigures | None
    control_before: WindowFigures | None
    control_after: WindowFigures | None
    tests_text: str

    @property
    def verdict_text(self) -> str:
        """The verdict in words: "Not enough audits: 120 more needed"."""
        if self.verdict == FixVerdict.NOT_ENOUGH_AUDITS and self.audits_more:
            return f"{self.verdict_label}: {self.audits_more:,} more needed"
        return self.verdict_label


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _window(figures: dict | None) -> WindowFigures | None:
    if not figures:
        return None
    interval = figures.get("interval")
    return WindowFigures(
        start=_when(figures.get("start")),
        end=_when(figures.get("end")),
        audits=int(figures.get("audits") or 0),
        errors=int(figures.get("errors") or 0),
        rate=figures.get("rate"),
        interval=(float(interval[0]), float(interval[1])) if interval else None,
    )


def _p(test: dict) -> str:
    p_value = float(test["p_value"])
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _significant(test: dict | None, alpha: float) -> bool:
    return test is not None and test["z"] > 0 and test["p_value"] < alpha


def _moved(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "went from"
    if after == before:
        return "stayed at"
    return "fell from" if after < before else "rose from"


def tests_sentence(figures: dict) -> str:
    """The tests behind a verdict, in one plain sentence (empty before the first computation)."""
    if not figures:
        return ""
    before, after = _window(figures.get("before")), _window(figures.get("after"))
    alpha = float(figures.get("alpha") or 0.05)
    level = f"{alpha:.0%}"
    if before is None or after is None or not after.audits or not before.audits:
        needed = figures.get("audits_needed")
        need = f"; the test needs {needed:,} audits in each window" if needed else ""
        window = "after" if after is None or not after.audits else "before"
        return f"No audit of a decision made {window} the fix yet{need}."
    moved = _moved(before.rate, after.rate)
    rates = before.rate_text if moved == "stayed at" else f"{before.rate_text} to {after.rate_text}"
    test = figures.get("test")
    drop = "a significant drop" if _significant(test, alpha) else "not a significant drop"
    sentence = f"The error rate {moved} {rates}, {drop} at the {level} level (one-sided two-proportion z-test, "
    sentence += f"{_p(test)})" if test else "no test)"
    control = figures.get("control")
    did = figures.get("difference_in_differences")
    if control is None:
        return sentence + "; there is no traffic outside the slice to compare with."
    control_before, control_after = _window(control["before"]), _window(control["after"])
    control_moved = _moved(control_before.rate, control_after.rate)
    control_rates = (
        control_before.rate_text
        if control_moved == "stayed at"
        else f"{control_before.rate_text} to {control_after.rate_text}"
    )
    sentence += f"; the same errors outside the slice {control_moved} {control_rates}"
    if did is None:
        return sentence + ", too few audits to net them out."
    net = "significant" if _significant(did, alpha) else "not significant"
    return sentence + f", so net of them the drop is {net} (difference-in-differences, {_p(did)})."


def fix_summary(fix: Fix) -> FixSummary:
    """The fix as the pages show it; `recorded_by` should be loaded with it (`select_related`)."""
    figures = fix.figures or {}
    control = figures.get("control") or {}
    return FixSummary(
        pk=fix.pk,
        effective_at=fix.effective_at,
        recorded_at=fix.recorded_at,
        recorded_by=people.display_name(fix.recorded_by) if fix.recorded_by else "the detection pipeline",
        changes=fix.what_changed,
        description=fix.description,
        verdict=fix.verdict,
        verdict_label=_VERDICT_LABELS.get(fix.verdict, NOT_COMPUTED),
        verdict_at=fix.verdict_at,
        audits_needed=figures.get("audits_needed"),
        audits_more=figures.get("audits_more"),
        before=_window(figures.get("before")),
        after=_window(figures.get("after")),
        control_before=_window(control.get("before")),
        control_after=_window(control.get("after")),
        tests_text=tests_sentence(figures),
    )


def case_fix_summaries(case) -> list[FixSummary]:
    """The case's fixes, latest first (the first one counts), in one query."""
    fixes = Fix.objects.filter(case=case).select_related("recorded_by").order_by("-effective_at", "-id")
    return [fix_summary(fix) for fix in fixes]


# TIMELINE
# ------------------------------------------------------------------------------


def _day(value: str | None) -> str:
    when = _when(value)
    return when.strftime("%Y-%m-%d %H:%M") if when else "?"


def fix_activity_text(verb: str, data: dict) -> str | None:
    """One plain sentence for a fix event of the timeline (`fix_recorded`, `fix_verdict`, `late_audits`,
    `pattern_grew`), following its actor's name ("Detection pipeline computed the fix verdict: Holding"); None for
    another verb."""
    if verb == ActivityVerb.FIX_RECORDED:
        changes = "; ".join(f"{label} {value}" for label, value in (data.get("changes") or {}).items())
        return f"recorded the fix, effective {_day(data.get('effective_at'))}" + (f" ({changes})" if changes else "")
    if verb == ActivityVerb.FIX_VERDICT:
        label = _VERDICT_LABELS.get(data.get("verdict", ""), data.get("verdict", "?"))
        previous = _VERDICT_LABELS.get(data.get("previous", ""), "")
        text = f"computed the fix verdict: {label}" + (f" (was {previous.lower()})" if previous else "")
        before, after = _window(data.get("before")), _window(data.get("after"))
        if before is not None and after is not None and before.audits and after.audits:
            text += f"; error rate {before.rate_text} before, {after.rate_text} after"
        if data.get("verdict") == FixVerdict.NOT_ENOUGH_AUDITS and data.get("audits_more"):
            text += f"; {data['audits_more']:,} more audits needed"
        return text
    if verb == ActivityVerb.LATE_AUDITS:
        return (
            f"attached {data.get('count', 0):,} late audit(s) of decisions made before {_day(data.get('since'))}; "
            "they do not reopen the case"
        )
    if verb == ActivityVerb.PATTERN_GREW:
        return (
            f"noted that the pattern grew to {data.get('weekly_errors', 0):,} errors a week "
            f"(from {data.get('previous_weekly_errors', 0):,} when it was set aside)"
        )
    return None


def override_text(data: dict) -> str:
    """What a `transitioned` entry adds when the case was closed by override."""
    return f"closed by override: “{data.get('reason', '')}”" if data.get("override") else ""
