"""How cases closed, and whether their fixes hold: the closure report's evidence columns, the dashboard's verdict mix.

Over the cases a report covers (`ReportFilters`), from the stored verdicts (`Fix.verdict`, kept current by the hourly
`cases.fixes.tasks.refresh_fix_verdicts`); nothing is computed from the audits here.

- **closed_by_override**: closed cases marked `Case.closed_by_override` (closed without a holding fix verdict, with a
  reason: `cases/workflow.py`).
- **closed_on_evidence**: closed cases not closed by override that have a fix record (the workflow closes a case from
  monitoring without an override only when its latest fix holds). The rest of `closed` closed before verified fixes
  existed: no fix record and no override.
- **fixes_holding**, **fixes_not_holding**, **fixes_not_enough_audits**: the verdict of the latest fix (by
  `effective_at`, then id) of each closed or monitoring case. A fix whose verdict is not computed yet counts in none.

Each figure is one grouped query over the latest fixes (the fixes table holds a row per recorded fix only), whatever
the number of cases.
"""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth

from cases.choices import CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.models import Case
from cases.reporting.filters import ReportFilters, case_filter_q

# The states whose fixes the reports follow: being monitored, and closed.
FOLLOWED_STATUSES = (CaseStatus.MONITORING, CaseStatus.CLOSED)
EVIDENCE_COLUMNS = (
    "closed_on_evidence",
    "closed_by_override",
    "fixes_holding",
    "fixes_not_holding",
    "fixes_not_enough_audits",
)
# The columns counted over the fixes (`evidence_counts`); `closed_by_override` is counted over the cases.
FIX_EVIDENCE_COLUMNS = tuple(name for name in EVIDENCE_COLUMNS if name != "closed_by_override")
NOT_COMPUTED = "not_computed"
NO_FIX = "no_fix"


def latest_fix_q() -> Q:
    """Keeps, of the fixes queried, only each case's latest (a correlated subquery on the `(case, -effective_at)`
    index)."""
    latest = Fix.objects.filter(case_id=OuterRef("case_id")).order_by("-effective_at", "-id").values("pk")[:1]
    return Q(pk=Subquery(latest))


def followed_fixes(filters: ReportFilters) -> QuerySet[Fix]:
    """The latest fix of each monitoring or closed case of the report."""
    return Fix.objects.filter(
        case_filter_q(filters, prefix="case__"), latest_fix_q(), case__status__in=FOLLOWED_STATUSES
    ).order_by()


def evidence_counts(*, filters: ReportFilters, case_fields: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """The fix-based columns of the module docstring (all but `closed_by_override`, which the closure report counts
    on the cases), per group of `case_fields` (fields of Case, or "month": the month opened). One query."""
    fixes = followed_fixes(filters)
    if "month" in case_fields:
        fixes = fixes.annotate(month=TruncMonth("case__opened_at"))
    fields = tuple(field if field == "month" else f"case__{field}" for field in case_fields)
    aggregates = {
        "closed_on_evidence": Count("id", filter=Q(case__status=CaseStatus.CLOSED, case__closed_by_override=False)),
        "fixes_holding": Count("id", filter=Q(verdict=FixVerdict.HOLDING)),
        "fixes_not_holding": Count("id", filter=Q(verdict=FixVerdict.NOT_HOLDING)),
        "fixes_not_enough_audits": Count("id", filter=Q(verdict=FixVerdict.NOT_ENOUGH_AUDITS)),
    }
    if not fields:
        return {(): fixes.aggregate(**aggregates)}
    rows = fixes.values(*fields).annotate(**aggregates)
    return {tuple(row[field] for field in fields): {name: row[name] for name in aggregates} for row in rows}


def closed_before_fixes(row: dict) -> int:
    """The closure row's closed cases with neither a fix record nor an override: closed before verified fixes."""
    return row["closed"] - row["closed_on_evidence"] - row["closed_by_override"]


def fix_verdict_mix(*, filters: ReportFilters) -> list[dict[str, object]]:
    """Monitoring and closed cases (one row each, in that order): how many, and the verdict of their latest fix:
    one count per `FixVerdict`, `not_computed` (a fix without a verdict yet) and `no_fix` (no fix record: closed
    before verified fixes, or by override straight from remediating). Two queries."""
    cases = dict(
        Case.objects.filter(case_filter_q(filters), status__in=FOLLOWED_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    verdicts: dict[tuple[str, str], int] = {
        (status, verdict): count
        for status, verdict, count in followed_fixes(filters)
        .values_list("case__status", "verdict")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = []
    for status in FOLLOWED_STATUSES:
        row: dict[str, object] = {"status": status, "label": status.label, "cases": cases.get(status, 0)}
        for verdict in FixVerdict:
            row[verdict.value] = verdicts.get((status, verdict.value), 0)
        row[NOT_COMPUTED] = verdicts.get((status, ""), 0)
        row[NO_FIX] = row["cases"] - sum(count for (of, _verdict), count in verdicts.items() if of == status)
        rows.append(row)
    return rows
