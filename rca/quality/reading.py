"""The one read of the quality rollups: sums per (period, group values, decision label, audit label), and whether in
doubt when asked (`by_doubt`).

Metrics and the change decomposition both call `rollup_cells` and fold its cells in Python: the labels stay in the
cells because the policy of an audit, its outcome, and the denominators of precision (decided P) and recall (audited
P) all follow from them. One `GROUP BY` query over one dimension's rows of the days asked: a few hundred cells for a
quarter by week and policy, whatever the number of audits.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db.models import Case, CharField, DateField, F, Q, Sum, Value, When
from django.db.models.functions import Trunc

from rca.choices import NO_VIOLATION, Outcome
from rca.models import QualityRollup
from rca.outcomes import derive_outcome
from rca.quality.dimensions import ALL, ROLLUP_COLUMNS, Dimension, Period


class QualityQueryError(ValueError):
    """A question the rollups cannot answer as asked; `field` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Cell:
    """The audits of one period (`bucket`: its first day, None when not by period), one combination of the grouped
    dimensions' values (`values`, in the order asked) and one pair of labels."""

    bucket: date | None
    values: tuple[str, ...]
    decision_label: str  # "" when read by outcome only (`labels=False`)
    audit_label: str
    outcome: str
    audits: int
    weight: float
    weight_squared: float
    in_doubt: bool = False  # the audits' verdicts are in doubt (read split by doubt: `by_doubt=True`)


def _rollup_dimension(dimensions: Sequence[str], filters: Mapping[str, str]) -> str:
    """The one rollup dimension named by `dimensions` and `filters`, or `ALL`; else the error names the parameter
    that brought in the second one (`group_by`, or the filter)."""
    grouped = list(dict.fromkeys(name for name in dimensions if name in ROLLUP_COLUMNS))
    filtered = [name for name in filters if name in ROLLUP_COLUMNS and name not in grouped]
    named = grouped + filtered
    if len(named) > 1:
        field = "group_by" if len(grouped) > 1 else named[1]
        raise QualityQueryError(
            field,
            f"{named[0]} and {named[1]} cannot be combined: group and filter by at most one of "
            f"{', '.join(ROLLUP_COLUMNS)} (policy and decision_source combine with any).",
        )
    return named[0] if named else ALL


# `rca.outcomes.derive_outcome`, in SQL, on a rollup row's labels.
OUTCOME = Case(
    When(decision_label=F("audit_label"), then=Value(Outcome.CORRECT.value)),
    When(audit_label=NO_VIOLATION, then=Value(Outcome.FALSE_POSITIVE.value)),
    When(decision_label=NO_VIOLATION, then=Value(Outcome.FALSE_NEGATIVE.value)),
    default=Value(Outcome.WRONG_POLICY.value),
    output_field=CharField(),
)
_outcome = cache(derive_outcome)


def _column(dimension: str) -> str:
    return "decision_source" if dimension == Dimension.DECISION_SOURCE else "value"


def rollup_cells(
    *,
    start: date,
    end: date,
    dimensions: Sequence[str] = (),
    period: str | None = None,
    filters: Mapping[str, str] | None = None,
    labels: bool = True,
    exclude_in_doubt: bool = False,
    by_doubt: bool = False,
) -> list[Cell]:
    """The rollups of decision days `start`..`end` (inclusive), summed per period (day, week or month; None: the whole
    range), per value of each of `dimensions` (decision_source and at most one rollup dimension; `policy` is derived
    from the labels by the caller) and per pair of labels.

    `filters` keeps the audits with these values; a `policy` filter keeps the audits decided **or** audited under
    that policy (what precision and recall need); the caller narrows to the audits whose policy it is.
    `labels=False` sums per outcome instead of per pair of labels (up to four cells a group instead of dozens), for
    figures that need neither the policy nor precision and recall.
    `exclude_in_doubt` leaves out the audits whose verdict is in doubt; `by_doubt` keeps them apart in cells of their
    own (`Cell.in_doubt`), for a caller that counts them.
    Raises `QualityQueryError` when two rollup dimensions are named (grouped or filtered): rollup rows carry one.
    """
    filters = dict(filters or {})
    if Dimension.POLICY in dimensions:
        raise ValueError("policy is derived from the labels: do not group the rollups by it")
    rollup_dimension = _rollup_dimension(dimensions, filters)
    rows = QualityRollup.objects.filter(dimension=rollup_dimension, day__gte=start, day__lte=end)
    for key, value in filters.items():
        if key == Dimension.POLICY:
            rows = rows.filter(Q(decision_label=value) | Q(audit_label=value))
        else:
            rows = rows.filter(**{_column(key): value})
    if exclude_in_doubt:
        rows = rows.filter(in_doubt=False)
    columns = {f"g{index}": F(_column(dimension)) for index, dimension in enumerate(dimensions)}
    if period is not None:
        columns["bucket"] = F("day") if period == Period.DAY else Trunc("day", period, output_field=DateField())
    keys = (("decision_label", "audit_label") if labels else ()) + (("in_doubt",) if by_doubt else ())
    if not labels:
        columns["outcome"] = OUTCOME
    sums = rows.values(*keys, **columns).annotate(n=Sum("audits"), w=Sum("weight"), w2=Sum("weight_squared")).order_by()
    return [
        Cell(
            bucket=row.get("bucket"),
            values=tuple(row[f"g{index}"] for index in range(len(dimensions))),
            decision_label=row.get("decision_label", ""),
            audit_label=row.get("audit_label", ""),
            outcome=row["outcome"] if not labels else _outcome(row["decision_label"], row["audit_label"]),
            audits=row["n"],
            weight=row["w"],
            weight_squared=row["w2"],
            in_doubt=row.get("in_doubt", False),
        )
        for row in sums
    ]
