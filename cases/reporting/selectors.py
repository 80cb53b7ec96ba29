"""Report queries for managers: closure figures per group, and the ageing of open cases. Each report is a small, fixed
number of aggregate SQL queries (GROUP BY with conditional counts), never a Python loop over cases, except where the
database has no percentile aggregate (SQLite): there the closed cases' durations are fetched in one sorted query and
the percentiles computed from them.

Definitions, over the cases a report covers (opened in the period, `opened_after` <= `opened_at` < `opened_before`,
and matching the team / policy / market / severity filters); `now` is the time of the query:

- **opened**: the cases in the group (a month row counts the cases opened in that month).
- **closed**: the cases whose status is `closed` now. A reopened case is not closed; `duplicate` and `wont_fix` are
  not closed either. **closure_rate** = closed / opened.
- **days to close**: `closed_at - opened_at` in fractional days, over the closed cases. **median_days_to_close** and
  **p90_days_to_close** are continuous percentiles (linear interpolation between the nearest ranks: PostgreSQL's
  `percentile_cont`, numpy's default); None when the group has no closed case.
- **SLA breach**: a case breached its SLA when it was resolved (closed, duplicate or won't fix; `resolved_at`) after
  its `due_at`, or when it is unresolved and `due_at` is before now. **sla_breach_rate** = breached / opened.
- **reopen_rate**: cases reopened at least once (`reopen_count > 0`) / opened.
- **open_overdue**: open cases (new ... monitoring) whose `due_at` is before now.
- **action_items_overdue**: the group's action items that are open or in progress with a `due_at` before now.
- **closed_on_evidence**, **closed_by_override**, **fixes_holding**, **fixes_not_holding**,
  **fixes_not_enough_audits**: how the closed cases closed and what the latest fix of the closed and monitoring cases
  says, from the stored fix verdicts (definitions in `cases/reporting/closings.py`).
- **ageing**: open cases by state and by age (now - `opened_at`) in the buckets of `AGE_BUCKETS`.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.choices import OPEN_ACTION_ITEM_STATUSES, OPEN_STATUSES, CaseStatus, Severity
from cases.models import ActionItem, Case, Team
from cases.reporting.choices import GroupBy
from cases.reporting.closings import EVIDENCE_COLUMNS, FIX_EVIDENCE_COLUMNS, evidence_counts
from cases.reporting.expressions import DaysBetween, PercentileCont, percentile_cont
from cases.reporting.filters import ReportFilters, case_filter_q

CLOSURE_COLUMNS = (
    "group",
    "key",
    "opened",
    "closed",
    "closure_rate",
    "median_days_to_close",
    "p90_days_to_close",
    "sla_breach_rate",
    "reopen_rate",
    "open_overdue",
    "action_items_overdue",
    *EVIDENCE_COLUMNS,
)

# (label, lower bound in days inclusive, upper bound in days exclusive or None)
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7 days", 0, 7),
    ("7-14 days", 7, 14),
    ("14-30 days", 14, 30),
    ("30-60 days", 30, 60),
    ("60+ days", 60, None),
)

# The column of each grouping in a `values()` query on Case. Owners and teams are grouped by id alone (no join in the
# scan of the cases) and named by one small query afterwards.
_GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    GroupBy.OWNER: ("owner_id",),
    GroupBy.TEAM: ("team_id",),
    GroupBy.SEVERITY: ("severity",),
    GroupBy.POLICY: ("policy_label",),
    GroupBy.MONTH: ("month",),
}
_NO_GROUP_LABEL = "(none)"


@dataclass(frozen=True)
class AgeingRow:
    status: str
    label: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


# FILTERS
# ------------------------------------------------------------------------------


def report_cases(filters: ReportFilters) -> QuerySet[Case]:
    return Case.objects.filter(case_filter_q(filters)).order_by()


def _breach_q(now: datetime) -> Q:
    return Q(resolved_at__isnull=False, resolved_at__gt=F("due_at")) | Q(resolved_at__isnull=True, due_at__lt=now)


# CLOSURE REPORT
# ------------------------------------------------------------------------------


def _group_fields(group_by: str | None) -> tuple[str, ...]:
    if group_by is None:
        return ()
    if group_by not in _GROUP_FIELDS:
        raise ValueError(f"'{group_by}' is not one of {', '.join(GroupBy.values)}.")
    return _GROUP_FIELDS[group_by]


def _with_group(queryset: QuerySet, group_by: str | None, prefix: str = "") -> QuerySet:
    if group_by == GroupBy.MONTH:
        return queryset.annotate(month=TruncMonth(f"{prefix}opened_at"))
    return queryset


def _group_names(group_by: str | None, keys: list) -> dict[object, str]:
    """Names of the owners or teams among `keys` (one query); other groupings are their own names."""
    ids = [key for key in keys if key is not None]
    if group_by == GroupBy.OWNER and ids:
        return dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
    if group_by == GroupBy.TEAM and ids:
        return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {}


def _group_label(group_by: str | None, values: tuple, names: dict[object, str]) -> tuple[object, str]:
    """The row's `key` (raw value) and `group` (what people read)."""
    if group_by is None:
        return None, "All"
    key = values[0]
    if group_by == GroupBy.MONTH:
        key = key.strftime("%Y-%m")
    label = names.get(key, key)
    return key, (str(label) if label not in (None, "") else _NO_GROUP_LABEL)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _closed_percentiles(cases: QuerySet, fields: tuple[str, ...]) -> dict[tuple, tuple[float | None, float | None]]:
    """Median and 90th percentile of the days to close of each group's closed cases, in one query: PostgreSQL's
    `percentile_cont` (both from one sort) where there is one; elsewhere (SQLite) the durations, sorted within each
    group, and the same percentile computed in Python."""
    closed = cases.filter(status=CaseStatus.CLOSED, closed_at__isnull=False)
    days = DaysBetween("closed_at", "opened_at")
    if connection.vendor == "postgresql":
        both = PercentileCont(days, (0.5, 0.9))
        if fields:
            groups = closed.values(*fields).annotate(percentiles=both).order_by()
        else:
            groups = [closed.aggregate(percentiles=both)]
        return {
            tuple(group[field] for field in fields): tuple(group["percentiles"] or (None, None)) for group in groups
        }
    durations = (
        closed.annotate(days_to_close=days).values_list(*fields, "days_to_close").order_by(*fields, "days_to_close")
    )
    width = len(fields)
    percentiles = {}
    for key, rows in groupby(durations, key=lambda row: tuple(row[:width])):
        sorted_days = [row[width] for row in rows]
        percentiles[key] = (percentile_cont(sorted_days, 0.5), percentile_cont(sorted_days, 0.9))
    return percentiles


def closure_report(
    *, filters: ReportFilters, group_by: str | None, now: datetime | None = None
) -> list[dict[str, object]]:
    """Closure figures (see the module docstring) per group, ordered by name or key; `group_by` None gives one
    row, "All". Four queries (the counts, the percentiles of the closed cases, the overdue action items, the latest
    fixes), plus one for the names of the owners or teams."""
    now = now or timezone.now()
    fields = _group_fields(group_by)
    cases = _with_group(report_cases(filters), group_by)
    aggregates = {
        "opened": Count("id"),
        "closed": Count("id", filter=Q(status=CaseStatus.CLOSED)),
        "breached": Count("id", filter=_breach_q(now)),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
        "open_overdue": Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        "closed_by_override": Count("id", filter=Q(status=CaseStatus.CLOSED, closed_by_override=True)),
    }
    if fields:
        groups = list(cases.values(*fields).annotate(**aggregates).order_by())
    else:
        totals = cases.aggregate(**aggregates)
        groups = [totals] if totals["opened"] else []
    percentiles = _closed_percentiles(cases, fields) if groups else {}
    items_overdue = _action_items_overdue(filters=filters, group_by=group_by, now=now) if groups else {}
    evidence = evidence_counts(filters=filters, case_fields=fields) if groups else {}

    names = _group_names(group_by, [group[fields[0]] for group in groups] if fields else [])

    rows = []
    for group in groups:
        values = tuple(group[field] for field in fields)
        median, p90 = percentiles.get(values, (None, None))
        key, label = _group_label(group_by, values, names)
        rows.append(
            {
                "group": label,
                "key": key,
                "opened": group["opened"],
                "closed": group["closed"],
                "closure_rate": _rate(group["closed"], group["opened"]),
                "median_days_to_close": _days(median),
                "p90_days_to_close": _days(p90),
                "sla_breach_rate": _rate(group["breached"], group["opened"]),
                "reopen_rate": _rate(group["reopened"], group["opened"]),
                "open_overdue": group["open_overdue"],
                "action_items_overdue": items_overdue.get(values, 0),
                **{name: evidence.get(values, {}).get(name) or 0 for name in FIX_EVIDENCE_COLUMNS},
                "closed_by_override": group["closed_by_override"],
            }
        )
    return sorted(rows, key=_row_order(group_by))


def _row_order(group_by: str | None):
    """Owners and teams by name, the other groupings by key; the "(none)" group last."""
    by_name = group_by in (GroupBy.OWNER, GroupBy.TEAM)
    return lambda row: (row["group"] == _NO_GROUP_LABEL, str(row["group"]).lower() if by_name else str(row["key"]))


def _action_items_overdue(*, filters: ReportFilters, group_by: str | None, now: datetime) -> dict[tuple, int]:
    """Open or in-progress action items past due, counted per group of their case (one query)."""
    fields = _group_fields(group_by)
    items = ActionItem.objects.filter(
        case_filter_q(filters, prefix="case__"), status__in=OPEN_ACTION_ITEM_STATUSES, due_at__lt=now
    ).order_by()
    if group_by == GroupBy.MONTH:
        items = items.annotate(month=TruncMonth("case__opened_at"))
    case_fields = tuple(field if field == "month" else f"case__{field}" for field in fields)
    if not case_fields:
        return {(): items.count()}
    counts = items.values(*case_fields).annotate(n=Count("id")).values_list(*case_fields, "n")
    return {tuple(row[:-1]): row[-1] for row in counts}


# AGEING OF OPEN CASES
# ------------------------------------------------------------------------------


def _age_q(now: datetime, low_days: int, high_days: int | None) -> Q:
    condition = Q(opened_at__lte=now - timedelta(days=low_days))
    if high_days is not None:
        condition &= Q(opened_at__gt=now - timedelta(days=high_days))
    return condition


def open_case_ageing(*, filters: ReportFilters, now: datetime | None = None) -> list[AgeingRow]:
    """Open cases per state (in workflow order) and age bucket, in one query; states without open cases are rows of
    zeros so that the table and chart keep their shape."""
    now = now or timezone.now()
    aggregates = {
        f"age_{index}": Count("id", filter=_age_q(now, low, high))
        for index, (_label, low, high) in enumerate(AGE_BUCKETS)
    }
    counts = {
        row["status"]: tuple(row[f"age_{index}"] for index in range(len(AGE_BUCKETS)))
        for row in report_cases(filters).filter(status__in=OPEN_STATUSES).values("status").annotate(**aggregates)
    }
    empty = (0,) * len(AGE_BUCKETS)
    return [AgeingRow(status=status, label=status.label, counts=counts.get(status, empty)) for status in OPEN_STATUSES]


# HEADLINE FIGURES (dashboard cards and the daily snapshot)
# ------------------------------------------------------------------------------


def headline_figures(*, filters: ReportFilters, now: datetime | None = None) -> dict[str, object]:
    """The whole-period closure row plus open cases per severity: what the daily `ReportSnapshot` keeps."""
    now = now or timezone.now()
    overall = closure_report(filters=filters, group_by=None, now=now)
    row = overall[0] if overall else dict.fromkeys(CLOSURE_COLUMNS[2:]) | {"opened": 0, "closed": 0}
    open_by_severity: dict[str, int] = defaultdict(int)
    for severity, count in (
        report_cases(filters).filter(status__in=OPEN_STATUSES).values_list("severity").annotate(n=Count("id"))
    ):
        open_by_severity[severity] = count
    figures = {name: row.get(name) for name in CLOSURE_COLUMNS[2:]}
    figures["open"] = sum(open_by_severity.values())
    figures["open_by_severity"] = {severity: open_by_severity.get(severity, 0) for severity in Severity.values}
    return figures
