"""The numeric fields of a sample record (docs/sample-format.md): the model's score and the sampling weight.

Both take a JSON number (a bulk request, a JSON Lines file) or a decimal string (CSV); absent, `null` or empty means
not given. They record their message in `errors` under their field and return the clean value (or a neutral one on
error), as the validator's other field checks do (validation.py). Never raises, whatever the input: `NaN`, `Infinity`
(which Python's JSON reader accepts) and numbers too large for a float are refused like any value out of range.

- `model_score`: from 0 to 1 inclusive; not given is no value (`None`).
- `weight`: the audit's sampling weight, for stratified QA samples: how many decisions the audit stands for, or any
  positive number proportional to that. Greater than 0 and at most `MAX_WEIGHT`; not given is 1 (every audit counts
  the same). The quality metrics weigh each audit by it (rca/quality/).
"""

from math import isfinite
from typing import Any

from rca.importing.values import json_kind, shown

DEFAULT_WEIGHT = 1.0
# Far above any real sampling weight (the inverse of a sampling probability); a bound that stops a unit mistake and
# keeps sums of squared weights finite.
MAX_WEIGHT = 1e9

NOT_A_NUMBER = "Expected a number, got {kind}."
NOT_NUMERIC = '"{value}" is not a number.'
SCORE_RANGE = "Ensure this value is between 0 and 1."
WEIGHT_RANGE = "Ensure this value is a positive number (greater than 0 and at most 1,000,000,000)."


def _number(value: Any, errors: dict[str, list[str]], field: str, *, textual: bool, range_message: str) -> float | None:
    """The value as a float, None when not given; on a bad value its message goes to `errors[field]`."""
    if value is None:
        return None
    if textual and isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            errors[field] = [NOT_NUMERIC.format(value=shown(value))]
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            errors[field] = [range_message]
            return None
    errors[field] = [NOT_A_NUMBER.format(kind=json_kind(value))]
    return None


def clean_score(value: Any, errors: dict[str, list[str]], *, textual: bool) -> float | None:
    score = _number(value, errors, "model_score", textual=textual, range_message=SCORE_RANGE)
    if score is not None and not 0.0 <= score <= 1.0:  # also false for NaN
        errors["model_score"] = [SCORE_RANGE]
        return None
    return score


def clean_weight(value: Any, errors: dict[str, list[str]], *, textual: bool) -> float:
    if value is None or value == "":  # the common case: no weight, every audit counts once
        return DEFAULT_WEIGHT
    weight = _number(value, errors, "weight", textual=textual, range_message=WEIGHT_RANGE)
    if weight is None:
        return DEFAULT_WEIGHT
    if not (isfinite(weight) and 0.0 < weight <= MAX_WEIGHT):
        errors["weight"] = [WEIGHT_RANGE]
        return DEFAULT_WEIGHT
    return weight
