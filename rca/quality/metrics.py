"""Quality metrics over the audits, read from the daily rollups only (`rca.quality.reading`).

For each group (a period and the values of the grouped dimensions):

- **audited volume**: the audits (and, weighted, the sum of their weights and their effective sample size);
- **error rate**: the share of audits whose decision the audit found wrong, and its three parts, which add up to it:
  **over-enforcement** (the decision enforced a policy, the audit found no violation), **under-enforcement** (the
  decision found no violation, the audit found one) and **wrong policy** (both found a violation, of different
  policies);
- **precision and recall** of decisions against the audit, for the policy in scope (when grouped or filtered by
  policy): of the audited decisions that enforced P, the share the audit confirmed; of the audits that found P, the
  share the decision had enforced. They hold for the audited sample: QA audits are a sample of decisions, often not
  a uniform one (weights correct for a known stratification, nothing corrects for an unknown one).

Each rate comes with its 95% Wilson interval (`rca.quality.intervals`). Weighted (the default), rates are ratios of
weighted sums and intervals use the effective sample size; with every weight 1 the figures equal the plain ones.
`policy` is the label at stake (`rca.quality.dimensions`).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from rca.choices import Outcome
from rca.quality.dimensions import KEY_DIMENSIONS, ROLLUP_COLUMNS, Dimension, Period, policy_of
from rca.quality.intervals import Rate, effective_size, rate
from rca.quality.reading import Cell, QualityQueryError, rollup_cells

GROUPABLE = (*KEY_DIMENSIONS, *ROLLUP_COLUMNS)
MAX_GROUPS = 2
RATES = ("error_rate", "over_enforcement_rate", "under_enforcement_rate", "wrong_policy_rate", "precision", "recall")
COUNTS = (
    "audits",
    "audits_in_doubt",
    "errors",
    "over_enforcement",
    "under_enforcement",
    "wrong_policy",
    "weighted_audits",
    "effective_audits",
)


@dataclass(frozen=True)
class MetricsRow:
    """One group's figures. Counts (`audits`, `errors` and its parts) are plain counts whatever `weighted` says.
    `audits_in_doubt`: the group's audits whose verdict is in doubt, counted whether or not they were left out (when
    they were, `audits` does not include them)."""

    period_start: date | None
    group: dict[str, str]
    audits: int
    audits_in_doubt: int
    errors: int
    over_enforcement: int
    under_enforcement: int
    wrong_policy: int
    weighted_audits: float
    effective_audits: float
    error_rate: Rate
    over_enforcement_rate: Rate
    under_enforcement_rate: Rate
    wrong_policy_rate: Rate
    precision: Rate | None = None
    recall: Rate | None = None

    def flat(self) -> dict:
        """The row as one flat dict (the API's JSON and CSV rows): `period_start`, the group's values under their
        dimensions' names, the counts, then each rate with its interval (`<rate>`, `<rate>_low`, `<rate>_high`)."""
        row = {"period_start": self.period_start, **self.group, **{name: getattr(self, name) for name in COUNTS}}
        for name in RATES:
            figure = getattr(self, name)
            row[name], row[f"{name}_low"], row[f"{name}_high"] = (
                (figure.value, figure.low, figure.high) if figure is not None else (None, None, None)
            )
        return row


def metrics_columns(group_by: Sequence[str]) -> tuple[str, ...]:
    """The keys of `MetricsRow.flat()` for a grouping, in order (a CSV header)."""
    rates = [column for name in RATES for column in (name, f"{name}_low", f"{name}_high")]
    return ("period_start", *dict.fromkeys(group_by), *COUNTS, *rates)


@dataclass
class _Sums:
    """Counts, weights and squared weights of a set of audits."""

    n: int = 0
    w: float = 0.0
    w2: float = 0.0

    def add(self, cell: Cell) -> None:
        self.n += cell.audits
        self.w += cell.weight
        self.w2 += cell.weight_squared


@dataclass
class _Group:
    in_doubt: int = 0  # audits whose verdict is in doubt, counted or not
    audits: _Sums = field(default_factory=_Sums)
    outcomes: dict[str, _Sums] = field(default_factory=lambda: defaultdict(_Sums))
    decided: _Sums = field(default_factory=_Sums)  # decisions that enforced the group's policy (precision)
    audited: _Sums = field(default_factory=_Sums)  # audits that found it (recall)
    confirmed: _Sums = field(default_factory=_Sums)  # both


def _rate(part: _Sums, whole: _Sums, *, weighted: bool) -> Rate:
    if weighted:
        return rate(part.w, whole.w, effective_size(whole.w, whole.w2))
    return rate(part.n, whole.n, whole.n)


def validate_query(*, group_by: Sequence[str], period: str | None, filters: Mapping[str, str]) -> None:
    """Raise `QualityQueryError` (naming the parameter) for a grouping, period or filter the metrics do not know."""
    unknown = [name for name in group_by if name not in GROUPABLE]
    if unknown:
        raise QualityQueryError("group_by", f"Unknown dimension {unknown[0]!r}; choose from {', '.join(GROUPABLE)}.")
    if len(set(group_by)) > MAX_GROUPS:
        raise QualityQueryError("group_by", f"Group by at most {MAX_GROUPS} dimensions.")
    if period is not None and period not in Period.values:
        raise QualityQueryError("period", f"Choose one of {', '.join(Period.values)}.")
    for name in filters:
        if name not in GROUPABLE:
            raise QualityQueryError(name, f"Unknown filter; choose from {', '.join(GROUPABLE)}.")


def quality_metrics(
    *,
    start: date,
    end: date,
    group_by: Sequence[str] = (),
    period: str | None = None,
    filters: Mapping[str, str] | None = None,
    weighted: bool = True,
    exclude_in_doubt: bool = False,
) -> list[MetricsRow]:
    """The figures of decision days `start`..`end` (inclusive) per period (None: one row per group over the range)
    and per value of each dimension of `group_by` (at most two; at most one rollup dimension across `group_by` and
    `filters`). Rows come by period, then group values; groups without audits are left out (so is a policy that
    decisions enforced but no audit is counted under: every decision of it a wrong policy). `exclude_in_doubt` leaves
    out the audits whose verdict is in doubt (a group with only those is left out too); each row counts them in
    `audits_in_doubt` either way. Raises `QualityQueryError` naming the parameter at fault.
    """
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    group_by = list(dict.fromkeys(group_by))
    validate_query(group_by=group_by, period=period, filters=filters)
    by_policy = Dimension.POLICY in group_by
    policy_filter = filters.get(Dimension.POLICY)
    stored = [name for name in group_by if name != Dimension.POLICY]
    labels = bool(by_policy or policy_filter)  # the policy, precision and recall need the labels; the rest the outcome
    cells = rollup_cells(
        start=start, end=end, dimensions=stored, period=period, filters=filters, labels=labels, by_doubt=True
    )

    groups: dict[tuple, _Group] = defaultdict(_Group)

    def key(cell: Cell, policy: str | None) -> tuple:
        values = iter(cell.values)
        return (cell.bucket, *(policy if name == Dimension.POLICY else next(values) for name in group_by))

    for cell in cells:
        decided, audited = cell.decision_label, cell.audit_label
        policy = policy_of(decided, audited) if labels else None
        counted = policy_filter is None or policy == policy_filter
        if counted and cell.in_doubt:
            groups[key(cell, policy)].in_doubt += cell.audits
        if cell.in_doubt and exclude_in_doubt:
            continue
        if counted:
            group = groups[key(cell, policy)]
            group.audits.add(cell)
            group.outcomes[cell.outcome].add(cell)
        if labels:
            if policy_filter in (None, decided):
                groups[key(cell, decided)].decided.add(cell)
                if decided == audited:
                    groups[key(cell, decided)].confirmed.add(cell)
            if policy_filter in (None, audited):
                groups[key(cell, audited)].audited.add(cell)

    rows = [
        _row(group_key, group, group_by=group_by, weighted=weighted, precision=labels)
        for group_key, group in groups.items()
        if group.audits.n
    ]
    rows.sort(key=lambda row: (row.period_start or date.min, tuple(row.group.values())))
    return rows


def _row(group_key: tuple, group: _Group, *, group_by: list[str], weighted: bool, precision: bool) -> MetricsRow:
    audits, outcomes = group.audits, group.outcomes
    parts = {name: outcomes.get(name, _Sums()) for name in Outcome.values if name != Outcome.CORRECT}
    errors = _Sums(
        n=sum(part.n for part in parts.values()),
        w=sum(part.w for part in parts.values()),
        w2=sum(part.w2 for part in parts.values()),
    )
    return MetricsRow(
        period_start=group_key[0],
        group=dict(zip(group_by, group_key[1:], strict=True)),
        audits=audits.n,
        audits_in_doubt=group.in_doubt,
        errors=errors.n,
        over_enforcement=parts[Outcome.FALSE_POSITIVE].n,
        under_enforcement=parts[Outcome.FALSE_NEGATIVE].n,
        wrong_policy=parts[Outcome.WRONG_POLICY].n,
        weighted_audits=audits.w,
        effective_audits=effective_size(audits.w, audits.w2),
        error_rate=_rate(errors, audits, weighted=weighted),
        over_enforcement_rate=_rate(parts[Outcome.FALSE_POSITIVE], audits, weighted=weighted),
        under_enforcement_rate=_rate(parts[Outcome.FALSE_NEGATIVE], audits, weighted=weighted),
        wrong_policy_rate=_rate(parts[Outcome.WRONG_POLICY], audits, weighted=weighted),
        precision=_rate(group.confirmed, group.decided, weighted=weighted) if precision else None,
        recall=_rate(group.confirmed, group.audited, weighted=weighted) if precision else None,
    )
