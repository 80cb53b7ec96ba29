"""The quality page's figures, shaped for tables and charts: human vs model side by side per group, the trend of each,
and the change explainer's contributors with their links (the samples explorer filtered to the slice, a case for it).

The figures come from the engine (`rca.quality.metrics.quality_metrics`, `rca.quality.decomposition.quality_change`);
this module only arranges them. No figure here is an auditor's or a moderator's unless the page asked for the
`auditor` dimension, which only leads and managers may (the page is theirs alone).
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse

from cases.numbers import format_percent, format_points
from cases.reporting.interval_charts import Point, Series, interval_chart, trend_chart, waterfall_chart
from rca.choices import NO_VIOLATION, DecisionSource, Outcome
from rca.quality.decomposition import Decomposition, SliceChange
from rca.quality.dimensions import Dimension
from rca.quality.metrics import MetricsRow, Rate

SOURCES = (DecisionSource.HUMAN, DecisionSource.MODEL)
TOP_CONTRIBUTORS = 8
# The samples explorer's filter of each dimension (`cases.evidence.filters.SampleFilter`); a policy is the audit's
# label when the audit found a violation, so its errors are (mostly) the audits labelled with it.
EXPLORER_FILTERS = {
    Dimension.POLICY: "audit_label",
    Dimension.DECISION_SOURCE: "decision_source",
    Dimension.MARKET: "market",
    Dimension.LANGUAGE: "language",
    Dimension.MODEL_VERSION: "model_version",
    Dimension.QUEUE: "queue",
    Dimension.CONTENT_TYPE: "content_type",
}
# The measure condition of each dimension (`cases.measure.definition.POPULATION_FIELDS`); a policy is the measure's
# audit label (the errors counted), as no population condition says "the policy at stake".
MEASURE_CONDITIONS = {
    Dimension.DECISION_SOURCE: "decision_source",
    Dimension.MARKET: "market",
    Dimension.LANGUAGE: "language",
    Dimension.MODEL_VERSION: "model_version",
    Dimension.QUEUE: "queue",
    Dimension.CONTENT_TYPE: "content_type",
}
ERROR_OUTCOMES = [Outcome.FALSE_POSITIVE, Outcome.FALSE_NEGATIVE, Outcome.WRONG_POLICY]


def rate_point(rate: Rate | None, day: date | None = None, title: str = "") -> Point | None:
    if rate is None or rate.value is None:
        return None
    interval = (rate.low, rate.high) if rate.low is not None and rate.high is not None else None
    return Point(day=day, rate=rate.value, interval=interval, title=title)


# HUMAN VS MODEL
# ------------------------------------------------------------------------------


@dataclass
class SideBySide:
    group: str
    figures: dict[str, MetricsRow | None]  # decision source -> its row (None: no audits)


def side_by_side(rows: list[MetricsRow], group_by: str) -> list[SideBySide]:
    """Rows grouped by (group_by, decision_source) as one line per group, human and model side by side; groups in
    the engine's order."""
    lines: dict[str, SideBySide] = {}
    for row in rows:
        group = row.group.get(group_by, "")
        line = lines.setdefault(group, SideBySide(group, dict.fromkeys(SOURCES)))
        line.figures[row.group.get(Dimension.DECISION_SOURCE, "")] = row
    return list(lines.values())


def side_by_side_chart(lines: list[SideBySide]):
    chart_rows = []
    for line in lines:
        points = []
        for source in SOURCES:
            row = line.figures.get(source)
            title = f"({row.errors} errors in {row.audits} audits)" if row else ""
            points.append(rate_point(row.error_rate, title=title) if row else None)
        chart_rows.append((line.group, points))
    return interval_chart(chart_rows, [DecisionSource(source).label for source in SOURCES])


def trend_of_sources(rows: list[MetricsRow], *, start: date, end: date):
    """Error rate per period, one line per decision source with its interval band (a period without audits is a
    gap)."""
    periods = sorted({row.period_start for row in rows if row.period_start is not None})
    by_key = {(row.period_start, row.group.get(Dimension.DECISION_SOURCE)): row for row in rows}
    series = []
    for source in SOURCES:
        points = []
        for period in periods:
            row = by_key.get((period, source))
            point = rate_point(row.error_rate, period, f"({row.errors} of {row.audits})") if row else None
            points.append(point or Point(day=period, rate=None))
        series.append(Series(DecisionSource(source).label, points))
    return trend_chart(series, start=start, end=end)


# WHAT CHANGED
# ------------------------------------------------------------------------------


@dataclass
class Contributor:
    change: SliceChange
    explorer_url: str | None
    measure: dict | None  # the measure of "open a case for this slice"; None when the slice cannot be one
    case_title: str
    case_problem: str


def explorer_url(
    dimension: str, value: str, filters: dict[str, str], since: date, *, exclude_in_doubt: bool = False
) -> str | None:
    """The samples explorer filtered to the slice's errors audited since `since`, without the verdicts in doubt when
    the figures leave them out (None for a slice it cannot filter: an auditor, or the `none` policy)."""
    params: list[tuple[str, str]] = []
    for name, chosen in [*filters.items(), (dimension, value)]:
        if name not in EXPLORER_FILTERS or (name == Dimension.POLICY and chosen == NO_VIOLATION):
            if name == dimension:
                return None
            continue
        params.append((EXPLORER_FILTERS[name], chosen))
    params += [("outcome", outcome) for outcome in ERROR_OUTCOMES]
    params.append(("audited_after", f"{since.isoformat()}T00:00:00"))
    if exclude_in_doubt:
        params.append(("verdict_in_doubt", "false"))
    return f"{reverse('sample-list')}?{urlencode(params)}"


def slice_measure(dimension: str, value: str, filters: dict[str, str]) -> dict | None:
    """The measure of a slice with the page's filters: its conditions as the population, a policy as the audit
    label of the errors counted; None when it cannot be a measure (an auditor, the `none` policy)."""
    population, audit_label = {}, ""
    for name, chosen in [*filters.items(), (dimension, value)]:
        if name == Dimension.POLICY:
            if chosen == NO_VIOLATION:
                return None
            audit_label = chosen
        elif name in MEASURE_CONDITIONS:
            population[MEASURE_CONDITIONS[name]] = chosen
        elif name == dimension:
            return None
    return {"population": population, "audit_label": audit_label, "topic_terms": []}


def contributors(
    decomposition: Decomposition,
    filters: dict[str, str],
    *,
    since: date,
    a_label: str,
    b_label: str,
    exclude_in_doubt: bool = False,
) -> list[Contributor]:
    """The top slices by the size of their contribution, each with its links (without the verdicts in doubt when
    `exclude_in_doubt`) and the case it would open."""
    dimension = decomposition.dimension
    found = []
    for change in decomposition.slices[:TOP_CONTRIBUTORS]:
        name = f"{Dimension(dimension).label.lower()} {change.value}"
        problem = (
            f"From {a_label} to {b_label} the error rate of {name} went from {format_percent(change.rate_a)} to "
            f"{format_percent(change.rate_b)} ({change.audits_b} audits in the second period); it contributed "
            f"{format_points(change.total)} to the change of the overall rate (mix {format_points(change.mix)}, "
            f"rate {format_points(change.rate)})."
        )
        found.append(
            Contributor(
                change=change,
                explorer_url=explorer_url(dimension, change.value, filters, since, exclude_in_doubt=exclude_in_doubt),
                measure=slice_measure(dimension, change.value, filters),
                case_title=f"Error rate {'rose' if change.total > 0 else 'fell'} in {name}"[:200],
                case_problem=problem,
            )
        )
    return found


def change_chart(decomposition: Decomposition, *, a_label: str, b_label: str):
    """The waterfall from period A's rate to period B's: one step per top slice (its whole contribution: mix and
    rate), the rest as one step."""
    top = decomposition.slices[:TOP_CONTRIBUTORS]
    steps = [
        (change.value, change.total, f"(mix {format_points(change.mix)}, rate {format_points(change.rate)})")
        for change in top
    ]
    rest = decomposition.slices[TOP_CONTRIBUTORS:]
    if rest:
        steps.append((f"{len(rest)} other", sum(change.total for change in rest), ""))
    return waterfall_chart(
        start=(a_label, decomposition.rate_a or 0.0), steps=steps, end=(b_label, decomposition.rate_b or 0.0)
    )


def period_label(first: date, last: date) -> str:
    dash = "\u2013"
    return f"{first:%b %-d}{dash}{last:%b %-d}" if first.year == last.year else f"{first:%Y-%m-%d}{dash}{last:%Y-%m-%d}"


def api_csv_url(path: str, params: dict) -> str:
    return f"/api/v1/quality/{path}/?{urlencode({**params, 'format': 'csv'})}"
