"""The statistics of a fix verdict, plain functions of counts.

- `wilson_interval`: the Wilson score interval of a rate (95% by default): honest at small counts and near 0.
- `two_proportion_test`: the pooled two-proportion z-test of the slice's rate before vs after; z > 0 means it fell.
  Its normal approximation needs every expected cell of the 2x2 table (errors and non-errors, before and after, under
  the pooled rate) to be at least `MIN_EXPECTED_CELL` (5, the usual rule); below that the p-value is Fisher's exact
  one-sided test instead (`method` says which), so 2 errors in 2 audits before and 0 in 1 after is no evidence
  (p = 1/3), where the z-test would call it significant (p = 0.04).
- `difference_in_differences`: the drop in the slice minus the drop in the control, divided by its standard error
  (the unpooled Wald variance of the four rates); z > 0 means the slice fell more than the control.
- `audits_needed`: audits per window for the one-sided two-proportion test at `alpha` to detect a drop of
  `relative_drop` of the rate before with power `power` (the usual normal-approximation formula).

p-values are one-sided (the question is "did it fall?").
"""

from dataclasses import dataclass
from math import ceil, sqrt

from scipy.stats import fisher_exact, norm

MIN_EXPECTED_CELL = 5.0


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float  # one-sided: the chance of a drop this large or larger if nothing changed
    method: str = "z"  # "z", or "fisher" when the counts are too small for the normal approximation


def wilson_interval(errors: int, audits: int, *, confidence: float = 0.95) -> tuple[float, float] | None:
    if audits <= 0:
        return None
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    rate = errors / audits
    denominator = 1 + z * z / audits
    centre = (rate + z * z / (2 * audits)) / denominator
    half = z * sqrt(rate * (1 - rate) / audits + z * z / (4 * audits * audits)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _one_sided(z: float) -> ZTest:
    return ZTest(z=z, p_value=float(norm.sf(z)))


def two_proportion_test(errors_before: int, audits_before: int, errors_after: int, audits_after: int) -> ZTest | None:
    """None when a window has no audit; z = 0 when the pooled rate is 0 or 1 (nothing varies)."""
    if not audits_before or not audits_after:
        return None
    pooled = (errors_before + errors_after) / (audits_before + audits_after)
    variance = pooled * (1 - pooled) * (1 / audits_before + 1 / audits_after)
    if variance == 0:
        return _one_sided(0.0)
    z = (errors_before / audits_before - errors_after / audits_after) / sqrt(variance)
    smallest_expected = min(pooled, 1 - pooled) * min(audits_before, audits_after)
    if smallest_expected >= MIN_EXPECTED_CELL:
        return _one_sided(z)
    table = [[errors_before, audits_before - errors_before], [errors_after, audits_after - errors_after]]
    _odds, p_value = fisher_exact(table, alternative="greater")  # greater: the odds of an error were higher before
    return ZTest(z=z, p_value=float(p_value), method="fisher")


def difference_in_differences(
    slice_before: tuple[int, int],
    slice_after: tuple[int, int],
    control_before: tuple[int, int],
    control_after: tuple[int, int],
) -> ZTest | None:
    """Each argument is (errors, audits). None when a window has no audit."""
    windows = (slice_before, slice_after, control_before, control_after)
    if any(audits <= 0 for _errors, audits in windows):
        return None
    rates = [errors / audits for errors, audits in windows]
    drop = (rates[0] - rates[1]) - (rates[2] - rates[3])
    variance = sum(rate * (1 - rate) / audits for rate, (_errors, audits) in zip(rates, windows, strict=True))
    if variance == 0:
        return _one_sided(0.0)
    return _one_sided(drop / sqrt(variance))


def audits_needed(rate_before: float, *, relative_drop: float, alpha: float, power: float) -> int | None:
    """Audits per window to detect a fall from `rate_before` to `rate_before * (1 - relative_drop)`; None when the
    rate before is 0 (there is nothing to see fall)."""
    if rate_before <= 0:
        return None
    rate_after = rate_before * (1 - relative_drop)
    mean = (rate_before + rate_after) / 2
    z_alpha, z_beta = float(norm.ppf(1 - alpha)), float(norm.ppf(power))
    numerator = z_alpha * sqrt(2 * mean * (1 - mean)) + z_beta * sqrt(
        rate_before * (1 - rate_before) + rate_after * (1 - rate_after)
    )
    return ceil((numerator / (rate_before - rate_after)) ** 2)
