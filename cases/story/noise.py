"""Why this is a pattern, not noise: the detection's tests (`rca.detection.slices`), on the case's measure in the
window, and one sentence a lead understands.

The tests, with the thresholds of `rca.detection.params.DetectionParams`:

- **size**: at least `min_errors` errors and `min_support` audits of the slice, counted as detection counts a slice's
  support: the audits of its structural conditions whatever their decision label (`support`; the measure's own
  audits, which share the decision label, are fewer: a pattern detected with 294 audits may hold 27 of its decision
  label, and saying "only 27 audits (a pattern needs 40)" would contradict its detection);
- **lift**: the slice's rate at least `min_lift` times the rate elsewhere (the measure's complement: the same error
  kind in comparable traffic outside the slice);
- **significance**: the Wilson lower bound of the slice's rate (at `z`) above the rate elsewhere;
- **recurrence**: errors on at least `min_days` distinct days, on `min_items` content items and, when most errors are
  human decisions, by `min_moderators` moderators;
- **robustness**: without its busiest 24 hours, its busiest content item and (human decisions) its busiest moderator,
  it still passes size, lift and significance (a one-day burst or one stream audited a hundred times is not a
  pattern).

Without a complement (a measure that does not narrow its comparable traffic), lift, significance and robustness
cannot be judged: the sentence says so rather than pretending.
"""

from collections import Counter
from datetime import datetime

from django.utils import timezone

from cases.numbers import TIMES, capped_ratio, format_percent, format_ratio
from cases.story.rows import ErrorRow
from rca.choices import DecisionSource
from rca.detection.params import DetectionParams
from rca.detection.slices import DAY_SECONDS, wilson_lower

TESTS = ("errors", "support", "lift", "significance", "days", "items", "moderators", "robust")


def _busiest_day(stamps: list[float]) -> tuple[float, float] | None:
    """[start, start + 24 h) holding the most stamps (a sliding window: a burst across midnight is one burst)."""
    if not stamps:
        return None
    order = sorted(stamps)
    best, best_start, end = 0, order[0], 0
    for index, start in enumerate(order):
        while end < len(order) and order[end] < start + DAY_SECONDS:
            end += 1
        if end - index > best:
            best, best_start = end - index, start
    return best_start, best_start + DAY_SECONDS


def without_busiest(rows: list[ErrorRow], *, human: bool) -> tuple[list[ErrorRow], dict]:
    """`rows` without their busiest 24 hours, busiest content item and (when `human`) busiest moderator, and how many
    errors each of those held."""
    stamps = [row.decided_at.timestamp() for row in rows]
    day = _busiest_day(stamps)
    items = Counter(row.content_id for row in rows)
    item = items.most_common(1)[0][0] if items else None
    moderators = Counter(row.moderator_id for row in rows if row.decision_source == DecisionSource.HUMAN)
    moderator = moderators.most_common(1)[0][0] if human and moderators else None
    removed = {
        "day": sum(day is not None and day[0] <= stamp < day[1] for stamp in stamps),
        "item": items[item] if item is not None else 0,
        "moderator": moderators[moderator] if moderator is not None else None,
    }
    kept = [
        row
        for row, stamp in zip(rows, stamps, strict=True)
        if not (day and day[0] <= stamp < day[1])
        and row.content_id != item
        and not (
            moderator is not None and row.decision_source == DecisionSource.HUMAN and row.moderator_id == moderator
        )
    ]
    return kept, removed


def _lower(errors: int, audits: int, z: float) -> float | None:
    return float(wilson_lower(errors, max(audits, errors), z)) if audits else None


def _local_day(moment: datetime):
    return timezone.localtime(moment).date()


def noise_figures(
    rows: list[ErrorRow],
    *,
    audits: int,
    control_rate: float | None,
    params: DetectionParams,
    support: int | None = None,
) -> dict:
    """The tests' figures and outcomes for the slice's error `rows` among its `audits` (the measure's population),
    against `control_rate` (None: no comparable traffic outside the slice). `support` is what the size test counts
    (the slice's audits of any decision label; `audits` when not given)."""
    errors = len(rows)
    human_rows = [row for row in rows if row.decision_source == DecisionSource.HUMAN]
    human = bool(rows) and len(human_rows) * 2 >= errors
    kept, removed = without_busiest(rows, human=human)
    rate = errors / audits if audits else None
    robust_rate = len(kept) / audits if audits else None
    lift, lift_over_cap = capped_ratio(rate, control_rate)
    robust_lift, robust_over_cap = capped_ratio(robust_rate, control_rate)
    figures = {
        "errors": errors,
        "audits": audits,
        "support": audits if support is None else max(support, audits),
        "days": len({_local_day(row.decided_at) for row in rows}),
        "items": len({row.content_id for row in rows}),
        "moderators": len({row.moderator_id for row in human_rows if row.moderator_id}),
        "human": human,
        "rate": rate,
        "lower": _lower(errors, audits, params.z),
        "control_rate": control_rate,
        "lift": lift,
        "lift_over_cap": lift_over_cap,
        "robust": {
            "errors": len(kept),
            "rate": robust_rate,
            "lower": _lower(len(kept), audits, params.z),
            "lift": robust_lift,
            "lift_over_cap": robust_over_cap,
            "removed": removed,
        },
        "thresholds": {
            key: getattr(params, key)
            for key in ("z", "min_errors", "min_support", "min_lift", "min_days", "min_items", "min_moderators")
        },
    }
    figures["tests"] = _tests(figures, params)
    judged = [test for test in figures["tests"].values() if test is not None]
    figures["compared"] = control_rate is not None
    figures["passed"] = bool(rows) and figures["compared"] and all(judged)
    return figures


def _clears(lift: float | None, over_cap: bool, lower: float | None, control: float, params: DetectionParams) -> bool:
    return (over_cap or (lift is not None and lift >= params.min_lift)) and lower is not None and lower > control


def _tests(figures: dict, params: DetectionParams) -> dict[str, bool | None]:
    """Each test's outcome; None when it does not apply (no complement; moderators of model decisions)."""
    control = figures["control_rate"]
    robust = figures["robust"]
    compared = control is not None
    return {
        "errors": figures["errors"] >= params.min_errors,
        "support": figures["support"] >= params.min_support,
        "lift": (figures["lift_over_cap"] or (figures["lift"] or 0) >= params.min_lift) if compared else None,
        "significance": (figures["lower"] is not None and figures["lower"] > control) if compared else None,
        "days": figures["days"] >= params.min_days,
        "items": figures["items"] >= params.min_items,
        "moderators": figures["moderators"] >= params.min_moderators if figures["human"] else None,
        "robust": (
            robust["errors"] >= params.min_errors
            and _clears(robust["lift"], robust["lift_over_cap"], robust["lower"], control, params)
        )
        if compared
        else None,
    }


# THE SENTENCE
# ------------------------------------------------------------------------------


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count:,} different days"


def _busiest(noise: dict) -> str:
    return "its busiest day, item and moderator" if noise["human"] else "its busiest day and item"


def _failure(name: str, noise: dict) -> str:
    limits = noise["thresholds"]
    control = format_percent(noise["control_rate"])
    phrases = {
        "errors": f"only {_n(noise['errors'], 'error')} (a pattern needs {limits['min_errors']})",
        "support": f"the slice holds only {_n(noise.get('support', noise['audits']), 'audit')} "
        f"(a pattern needs {limits['min_support']})",
        "lift": f"its rate is only {format_ratio(noise['lift'])} the rate elsewhere "
        f"(a pattern needs {limits['min_lift']:g}{TIMES})",
        "significance": f"its Wilson lower bound ({format_percent(noise['lower'])}) does not clear the rate "
        f"elsewhere ({control})",
        "days": f"its errors fall on only {_n(noise['days'], 'day')} (a pattern needs {limits['min_days']})",
        "items": f"they concern only {_n(noise['items'], 'item')} (a pattern needs {limits['min_items']})",
        "moderators": f"they come from only {_n(noise['moderators'], 'moderator')} "
        f"(a pattern needs {limits['min_moderators']})",
        "robust": _robust_failure(noise, control),
    }
    return phrases[name]


def _robust_failure(noise: dict, control: str) -> str:
    robust, limits = noise["robust"], noise["thresholds"]
    if robust["errors"] < limits["min_errors"]:
        return (
            f"without {_busiest(noise)} only {_n(robust['errors'], 'error')} remain (a pattern needs "
            f"{limits['min_errors']})"
        )
    return (
        f"without {_busiest(noise)} it falls to {format_ratio(robust['lift'], over_cap=robust['lift_over_cap'])} the "
        f"rate elsewhere (Wilson lower bound {format_percent(robust['lower'])} against {control})"
    )


def noise_sentence(noise: dict | None, *, window_days: int | None = None) -> str:
    """One sentence from `noise_figures`: the figures, then what passed (it is a pattern) or what did not."""
    if not noise or not noise["errors"]:
        span = f" in the last {window_days} days" if window_days else ""
        return f"No error of this kind{span}: nothing to tell from noise."
    facts = f"{_n(noise['errors'], 'error')} on {_days(noise['days'])} across {_n(noise['items'], 'item')}"
    if noise["human"]:
        facts += f" and {_n(noise['moderators'], 'moderator')}"
    if not noise["compared"]:
        failures = [_failure(name, noise) for name, passed in noise["tests"].items() if passed is False]
        tail = f"; and {'; '.join(failures)}" if failures else ""
        return (
            f"{facts}. There is no comparable traffic outside this slice to compare its rate with, so whether it "
            f"stands out cannot be judged{tail}."
        )
    robust = noise["robust"]
    control = format_percent(noise["control_rate"])
    if noise["passed"]:
        return (
            f"{facts}; without {_busiest(noise)} it is still "
            f"{format_ratio(robust['lift'], over_cap=robust['lift_over_cap'])} the rate elsewhere "
            f"(Wilson lower bound {format_percent(robust['lower'])} > {control})."
        )
    tests = noise["tests"]
    holds = ""
    if tests["lift"] and tests["significance"]:
        holds = (
            f" It is {format_ratio(noise['lift'], over_cap=noise['lift_over_cap'])} the rate elsewhere "
            f"(Wilson lower bound {format_percent(noise['lower'])} > {control}),"
        )
        lead = " but"
    else:
        lead = " Not clearly a pattern:"
    failures = [_failure(name, noise) for name in TESTS if tests.get(name) is False]
    return f"{facts}.{holds}{lead} {'; '.join(failures)}."
