"""Rates and their Wilson intervals, plain or weighted (pure functions of sums).

A weighted rate is a ratio of weighted sums (errors' weights over audits' weights). Its interval is the Wilson score
interval computed with the **effective sample size** of the audits in its denominator, Kish's
`n_eff = (sum of weights)^2 / sum of squared weights`: the number of equally weighted audits that would give the same
precision. With equal weights it is the count, and the interval is the usual one; the more unequal the weights, the
smaller `n_eff` and the wider the interval. The interval is 95% by default.
"""

from dataclasses import dataclass
from math import sqrt

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True)
class Rate:
    """A proportion with its interval. `numerator` and `denominator` are counts, or sums of weights when weighted;
    `effective_n` is the effective sample size the interval uses (the count when unweighted). `value`, `low` and
    `high` are None when the denominator is 0."""

    value: float | None
    low: float | None
    high: float | None
    numerator: float
    denominator: float
    effective_n: float

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "effective_n": self.effective_n,
        }


def effective_size(weight: float, weight_squared: float) -> float:
    """Kish's effective sample size of audits whose weights sum to `weight` and squared weights to `weight_squared`."""
    return weight * weight / weight_squared if weight_squared > 0 else 0.0


def wilson_interval(rate: float, n: float, *, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion `rate` observed on `n` (possibly effective, so fractional) audits."""
    denominator = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denominator
    half = z * sqrt(max(rate * (1 - rate), 0.0) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(numerator: float, denominator: float, effective_n: float) -> Rate:
    """`numerator / denominator` with the Wilson interval on `effective_n` audits."""
    if denominator <= 0 or effective_n <= 0:
        return Rate(None, None, None, numerator, denominator, effective_n)
    value = min(max(numerator / denominator, 0.0), 1.0)
    low, high = wilson_interval(value, effective_n)
    return Rate(value, low, high, numerator, denominator, effective_n)
