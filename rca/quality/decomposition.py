"""What changed, and why: the change of the error rate between two periods, split per slice into mix and rate.

The overall error rate is the share-weighted mean of the slices' rates, `R = sum_i s_i r_i` (slices: the values of one
dimension; `s_i` the slice's share of the period's audits, `r_i` its error rate). Between period A and period B each
slice contributes `s_B r_B - s_A r_A`, which Kitagawa's decomposition (a shift-share analysis with symmetric midpoint
weights) splits exactly into

- a **mix** part, `(s_B - s_A) (r_A + r_B) / 2`: the traffic moving towards or away from the slice, at its mean rate;
- a **rate** part, `(r_B - r_A) (s_A + s_B) / 2`: the slice's own rate moving, at its mean share.

The two parts add up to the slice's contribution, and the contributions to the total change `R_B - R_A`, with no
residual term (to floating-point precision). A slice seen in one period only has no rate in the other: it is taken
equal to the rate it has, so the slice's whole contribution (arriving or leaving traffic) is mix.

Weighted (the default), shares and rates come from sums of sampling weights; otherwise from counts. `decompose` is the
pure core; `quality_change` reads the two periods from the rollups.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from rca.choices import Outcome
from rca.quality.dimensions import Dimension, policy_of
from rca.quality.metrics import GROUPABLE, validate_query
from rca.quality.reading import QualityQueryError, rollup_cells


@dataclass(frozen=True)
class SliceTotals:
    """A slice's audits and errors in one period, counted and weighted."""

    audits: int = 0
    errors: int = 0
    weight: float = 0.0
    error_weight: float = 0.0


SLICE_COLUMNS = (
    "value", "audits_a", "audits_b", "errors_a", "errors_b", "share_a", "share_b", "rate_a", "rate_b", "mix", "rate",
    "total",
)  # fmt: skip


@dataclass(frozen=True)
class SliceChange:
    value: str
    audits_a: int
    audits_b: int
    errors_a: int
    errors_b: int
    share_a: float
    share_b: float
    rate_a: float | None
    rate_b: float | None
    mix: float
    rate: float
    total: float  # mix + rate: the slice's contribution to the change of the overall error rate


@dataclass(frozen=True)
class Decomposition:
    """`change == mix + rate == sum of the slices' totals` (float precision); None when a period has no audits."""

    dimension: str
    weighted: bool
    audits_a: int
    audits_b: int
    rate_a: float | None
    rate_b: float | None
    change: float | None
    mix: float | None
    rate: float | None
    slices: list[SliceChange]  # the largest contribution (in absolute value) first


def decompose(
    a: Mapping[str, SliceTotals], b: Mapping[str, SliceTotals], *, weighted: bool = True
) -> tuple[float | None, float | None, list[SliceChange]]:
    """`(rate_a, rate_b, slices)`: the overall rates of the two periods and each slice's mix and rate parts, sorted by
    the size of its contribution; rates are None (and there are no slices) when a period has no audits."""

    def size(totals: SliceTotals) -> tuple[float, float]:
        return (totals.weight, totals.error_weight) if weighted else (totals.audits, totals.errors)

    whole_a = sum(size(totals)[0] for totals in a.values())
    whole_b = sum(size(totals)[0] for totals in b.values())
    if whole_a <= 0 or whole_b <= 0:
        return None, None, []
    rate_a = sum(size(totals)[1] for totals in a.values()) / whole_a
    rate_b = sum(size(totals)[1] for totals in b.values()) / whole_b
    empty = SliceTotals()
    slices = []
    for value in sorted(set(a) | set(b)):
        in_a, in_b = a.get(value, empty), b.get(value, empty)
        (weight_a, errors_a), (weight_b, errors_b) = size(in_a), size(in_b)
        if weight_a <= 0 and weight_b <= 0:
            continue
        share_a, share_b = weight_a / whole_a, weight_b / whole_b
        slice_rate_a = errors_a / weight_a if weight_a > 0 else None
        slice_rate_b = errors_b / weight_b if weight_b > 0 else None
        ra = slice_rate_a if slice_rate_a is not None else slice_rate_b
        rb = slice_rate_b if slice_rate_b is not None else slice_rate_a
        mix = (share_b - share_a) * (ra + rb) / 2
        rate = (rb - ra) * (share_a + share_b) / 2
        slices.append(
            SliceChange(
                value=value,
                audits_a=in_a.audits,
                audits_b=in_b.audits,
                errors_a=in_a.errors,
                errors_b=in_b.errors,
                share_a=share_a,
                share_b=share_b,
                rate_a=slice_rate_a,
                rate_b=slice_rate_b,
                mix=mix,
                rate=rate,
                total=mix + rate,
            )
        )
    slices.sort(key=lambda item: (-abs(item.total), item.value))
    return rate_a, rate_b, slices


def _period_totals(
    *, dimension: str, start: date, end: date, filters: Mapping[str, str], exclude_in_doubt: bool
) -> dict[str, SliceTotals]:
    stored = [] if dimension == Dimension.POLICY else [dimension]
    policy_filter = filters.get(Dimension.POLICY)
    sums: dict[str, list] = {}
    labels = dimension == Dimension.POLICY or policy_filter is not None  # else the outcome is all it needs
    cells = rollup_cells(
        start=start, end=end, dimensions=stored, filters=filters, labels=labels, exclude_in_doubt=exclude_in_doubt
    )
    for cell in cells:
        policy = policy_of(cell.decision_label, cell.audit_label) if labels else None
        if policy_filter is not None and policy != policy_filter:
            continue
        value = policy if dimension == Dimension.POLICY else cell.values[0]
        error = cell.outcome != Outcome.CORRECT
        totals = sums.setdefault(value, [0, 0, 0.0, 0.0])
        totals[0] += cell.audits
        totals[2] += cell.weight
        if error:
            totals[1] += cell.audits
            totals[3] += cell.weight
    return {value: SliceTotals(*totals) for value, totals in sums.items()}


def quality_change(
    *,
    dimension: str,
    period_a: tuple[date, date],
    period_b: tuple[date, date],
    filters: Mapping[str, str] | None = None,
    weighted: bool = True,
    limit: int | None = None,
    exclude_in_doubt: bool = False,
) -> Decomposition:
    """The change of the error rate from period A to period B (each `(first day, last day)` of decisions, inclusive),
    split per value of `dimension`; `limit` keeps the largest contributors only (the totals cover every slice);
    `exclude_in_doubt` leaves out the audits whose verdict is in doubt. Raises `QualityQueryError` naming the
    parameter at fault."""
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    if dimension not in GROUPABLE:
        raise QualityQueryError("dimension", f"Unknown dimension {dimension!r}; choose from {', '.join(GROUPABLE)}.")
    validate_query(group_by=[dimension], period=None, filters=filters)
    common = {"dimension": dimension, "filters": filters, "exclude_in_doubt": exclude_in_doubt}
    a = _period_totals(start=period_a[0], end=period_a[1], **common)
    b = _period_totals(start=period_b[0], end=period_b[1], **common)
    rate_a, rate_b, slices = decompose(a, b, weighted=weighted)
    complete = rate_a is not None and rate_b is not None
    return Decomposition(
        dimension=dimension,
        weighted=weighted,
        audits_a=sum(totals.audits for totals in a.values()),
        audits_b=sum(totals.audits for totals in b.values()),
        rate_a=rate_a,
        rate_b=rate_b,
        change=rate_b - rate_a if complete else None,
        mix=sum(item.mix for item in slices) if complete else None,
        rate=sum(item.rate for item in slices) if complete else None,
        slices=slices[:limit] if limit is not None else slices,
    )
