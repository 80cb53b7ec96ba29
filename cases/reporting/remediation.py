"""The remediation report: did each case's fix work? The figures are the fix verdict's (`cases/fixes/verdict.py`),
computed from the case's measure (`cases.measure`), so a case shows here the figures the case room shows.

- **Rows** (`basis=fix`, the default): one per case of the report's filters that has a fix record, for its latest fix
  (by `effective_at`, then id), most recent fix first, at most `limit`. Each row reads the fix's stored verdict and
  figures (`Fix.verdict`, `Fix.figures`, `Fix.verdict_at`), kept current by the hourly beat task; nothing is counted
  from the audits. A latest fix never computed (recorded since the task's last run) is computed first with
  `cases.fixes.services.fix_verdict_refresh` (which stores it and writes the timeline entry, as the task would), at
  most `REFRESH_LIMIT` a request; a fix beyond that, or of a case without a measure, has a row without figures.
- **Closings without a fix record** (`basis=closing`) are listed separately, never mixed with the recorded fixes:
  closed cases without any fix (closed before verified fixes existed, or closed by override straight from
  remediating). Their figures are computed on the fly, not stored, with the same `cases.fixes.verdict.fix_verdict` as
  a fix effective at the case's **closing time** (`closed_at`): the rule regression detection follows for such a case,
  and the one time we know the fix was in place (`remediating_at` marks when work on the fix began, so its after
  window would hold decisions made before the fix shipped). Each costs a query or two over the samples, so at most
  `CLOSING_MAX_LIMIT` rows, most recently closed first.
- **Columns** (`REMEDIATION_COLUMNS`): the case; the fix (`effective_at`: for `basis=closing`, the closing time) and
  what changed; the measure (`measure_population`, `measure_errors`); for the windows before and after the fix the
  audits, errors, error rate (a fraction) and its 95% Wilson interval; the control's rates (the same error kind
  outside the slice), None when the measure has no control; `change` (after - before); the two-proportion test and
  the difference-in-differences test (z > 0: the rate fell; one-sided p); the verdict (`FixVerdict`), the audits still
  needed after the fix (`audits_more`), when it was computed, and whether the case was closed by override.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.choices import CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.fixes.services import fix_verdict_refresh
from cases.fixes.verdict import VerdictParams, fix_verdict
from cases.measure.definition import case_measure
from cases.models import Case
from cases.reporting.choices import RemediationBasis
from cases.reporting.closings import latest_fix_q
from cases.reporting.filters import ReportFilters, case_filter_q

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000
REFRESH_LIMIT = 20
CLOSING_DEFAULT_LIMIT = 20
CLOSING_MAX_LIMIT = 100

CHANGE_LABELS = {
    "model_version": "Model version",
    "guideline_version": "Guideline version",
    "process_change": "Queue or workflow",
    "description": "What changed",
}
WINDOW_COLUMNS = ("audits", "errors", "rate", "interval_low", "interval_high")
REMEDIATION_COLUMNS = (
    "case_id",
    "key",
    "title",
    "status",
    "severity",
    "owner",
    "basis",
    "fix_id",
    "effective_at",
    "what_changed",
    "measure_population",
    "measure_errors",
    *(f"before_{name}" for name in WINDOW_COLUMNS),
    *(f"after_{name}" for name in WINDOW_COLUMNS),
    "control_before_rate",
    "control_after_rate",
    "change",
    "z",
    "p_value",
    "did_z",
    "did_p_value",
    "verdict",
    "audits_more",
    "verdict_at",
    "closed_by_override",
)


# ROWS FROM FIGURES (pure)
# ------------------------------------------------------------------------------


def _window(figures: dict | None) -> dict[str, object]:
    figures = figures or {}
    interval = figures.get("interval") or (None, None)
    return {
        "audits": figures.get("audits"),
        "errors": figures.get("errors"),
        "rate": figures.get("rate"),
        "interval_low": interval[0],
        "interval_high": interval[1],
    }


def figures_columns(figures: dict) -> dict[str, object]:
    """The report's figure columns from a verdict's figures (`cases.fixes.verdict.fix_verdict`); all None when the
    figures are empty (a verdict not computed yet)."""
    measure = figures.get("measure") or {}
    control = figures.get("control") or {}
    test = figures.get("test") or {}
    did = figures.get("difference_in_differences") or {}
    columns: dict[str, object] = {
        # sorted: PostgreSQL's jsonb stores keys in its own order
        "measure_population": dict(sorted(measure["population"].items())) if measure else None,
        "measure_errors": (
            {"audit_label": measure.get("audit_label", ""), "topic_terms": measure.get("topic_terms", [])}
            if measure
            else None
        ),
    }
    for side in ("before", "after"):
        columns.update({f"{side}_{name}": value for name, value in _window(figures.get(side)).items()})
    columns.update(
        {
            "control_before_rate": (control.get("before") or {}).get("rate"),
            "control_after_rate": (control.get("after") or {}).get("rate"),
            "change": figures.get("change"),
            "z": test.get("z"),
            "p_value": test.get("p_value"),
            "did_z": did.get("z"),
            "did_p_value": did.get("p_value"),
            "audits_more": figures.get("audits_more"),
        }
    )
    return columns


def what_changed(fix: Fix) -> dict[str, str]:
    """The fix's named changes and its description (the keys of `CHANGE_LABELS`), the empty ones left out."""
    return {name: getattr(fix, name) for name in CHANGE_LABELS if getattr(fix, name)}


def _case_columns(case: Case) -> dict[str, object]:
    return {
        "case_id": case.pk,
        "key": case.key,
        "title": case.title,
        "status": case.status,
        "severity": case.severity,
        "owner": case.owner.get_username() if case.owner else "",
    }


def fix_row(fix: Fix) -> dict[str, object]:
    """The row of a case's latest fix, from its stored verdict and figures."""
    return {
        **_case_columns(fix.case),
        "basis": RemediationBasis.FIX.value,
        "fix_id": fix.pk,
        "effective_at": fix.effective_at,
        "what_changed": what_changed(fix),
        **figures_columns(fix.figures or {}),
        "verdict": fix.verdict or None,
        "verdict_at": fix.verdict_at,
        "closed_by_override": fix.case.closed_by_override,
    }


# QUERIES
# ------------------------------------------------------------------------------


def _latest_fixes(filters: ReportFilters):
    return Fix.objects.filter(case_filter_q(filters, prefix="case__"), latest_fix_q())


def _refresh_uncomputed(filters: ReportFilters, now: datetime) -> None:
    """Compute the verdicts of latest fixes never computed (at most `REFRESH_LIMIT`, the most recent first)."""
    pending = _latest_fixes(filters).filter(verdict="", verdict_at__isnull=True).order_by("-effective_at", "-id")
    for fix in pending[:REFRESH_LIMIT]:
        fix_verdict_refresh(fix, now=now)


def fix_rows(
    *, filters: ReportFilters, verdict: str = "", limit: int = DEFAULT_LIMIT, now: datetime | None = None
) -> list[dict[str, object]]:
    """The rows of the cases with a fix (see the module docstring): one query, after the refresh of the fixes never
    computed (one query when there is none)."""
    now = now or timezone.now()
    _refresh_uncomputed(filters, now)
    fixes = _latest_fixes(filters).select_related("case", "case__owner").order_by("-effective_at", "-id")
    if verdict:
        fixes = fixes.filter(verdict=verdict)
    return [fix_row(fix) for fix in fixes[: max(1, min(limit, MAX_LIMIT))]]


def closing_rows(
    *, filters: ReportFilters, verdict: str = "", limit: int = CLOSING_DEFAULT_LIMIT, now: datetime | None = None
) -> list[dict[str, object]]:
    """The rows of the closed cases without a fix record, their figures computed now from the closing time (see the
    module docstring); at most `CLOSING_MAX_LIMIT` cases are computed, and `verdict` keeps those with that verdict."""
    now = now or timezone.now()
    params = VerdictParams.from_settings()
    cases = (
        Case.objects.filter(case_filter_q(filters), status=CaseStatus.CLOSED, closed_at__lt=now)
        .exclude(Exists(Fix.objects.filter(case_id=OuterRef("pk"))))
        .select_related("owner", "pattern")
        .order_by("-closed_at", "-id")[: max(1, min(limit, CLOSING_MAX_LIMIT))]
    )
    rows = []
    for case in cases:
        measure = case_measure(case)
        computed, figures = None, {}
        if measure is not None:
            computed, figures = fix_verdict(measure, fix_at=case.closed_at, now=now, params=params)
        rows.append(
            {
                **_case_columns(case),
                "basis": RemediationBasis.CLOSING.value,
                "fix_id": None,
                "effective_at": case.closed_at,
                "what_changed": {},
                **figures_columns(figures),
                "verdict": computed,
                "verdict_at": now if computed else None,
                "closed_by_override": case.closed_by_override,
            }
        )
    return [row for row in rows if not verdict or row["verdict"] == verdict]


def remediation_report(
    *,
    filters: ReportFilters,
    basis: str = RemediationBasis.FIX,
    verdict: str = "",
    limit: int | None = None,
    now: datetime | None = None,
) -> list[dict[str, object]]:
    """The report's rows of `basis` (see the module docstring)."""
    if basis == RemediationBasis.CLOSING:
        return closing_rows(filters=filters, verdict=verdict, limit=limit or CLOSING_DEFAULT_LIMIT, now=now)
    return fix_rows(filters=filters, verdict=verdict, limit=limit or DEFAULT_LIMIT, now=now)


def not_holding(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The rows whose fix did not hold (enough audits after it, and no significant drop net of the control)."""
    return [row for row in rows if row["verdict"] == FixVerdict.NOT_HOLDING]
