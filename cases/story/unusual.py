"""What else is unusual about the slice: the values of its other dimensions its errors share far more often than
comparable traffic does ("92% are guest battles, against 8% of comparable traffic").

For each dimension the measure's population does not fix (market, language, model version, queue, content type,
surface, tags, decision source, auditor), and each value: the share of the slice's errors with it, against its share
of the comparable traffic outside the slice (the measure's control; of the slice's own audits when the measure has
no traffic outside it). The values whose share differs most (at least `MIN_DIFFERENCE`, from at least
`MIN_VALUE_ERRORS` errors) come first, `TOP` of them.

A value about as common among the slice's audits as among its errors (the language of a market's slice, the queues
of that market) restates the slice rather than telling something about its errors: a value is kept only when its
share of the errors is also at least `MIN_WITHIN` above its share of the slice's audits.

One query: the error rows are already read (`cases.story.rows`); only values held by at least `MIN_DIFFERENCE` of
the errors can differ by that much, and their counts in the comparable traffic, inside and outside the slice, are
filtered counts of one pass over it.
"""

from collections import Counter

from django.db.models import Count, Q

from cases.measure.counts import comparable_q, population_q
from cases.measure.definition import Measure
from cases.story.rows import ErrorRow
from cases.story.window import StoryWindow
from rca.models import ModerationSample

# dimension -> the error row's field (and the sample's column); `tag` holds several values a row.
DIMENSIONS: dict[str, str] = {
    "market": "market",
    "language": "language",
    "model_version": "model_version",
    "queue": "queue",
    "content_type": "content_type",
    "surface": "surface",
    "tag": "tags",
    "decision_source": "decision_source",
    "auditor": "auditor_id",
}
PERSONAL_DIMENSIONS = ("auditor",)
MIN_DIFFERENCE = 0.10
MIN_VALUE_ERRORS = 3
MIN_WITHIN = 0.05
TOP = 5


def _values(row: ErrorRow, dimension: str) -> list[str]:
    raw = getattr(row, DIMENSIONS[dimension])
    if dimension == "tag":
        return [tag for tag in raw.split(";") if tag]
    return [raw] if raw else []


# A dimension whose population condition has another name.
_CONDITION_KEYS = {"auditor": "auditor_id"}


def _fixed(measure: Measure, dimension: str) -> set[str]:
    """The values of `dimension` the population fixes (every value, for a fixed single-valued dimension)."""
    value = measure.population.get(_CONDITION_KEYS.get(dimension, dimension))
    if value is None:
        return set()
    return set(value) if isinstance(value, list) else {value}


def unusual_candidates(measure: Measure, rows: list[ErrorRow]) -> list[tuple[str, str, int]]:
    """`(dimension, value, errors)` for the values at least `MIN_DIFFERENCE` of the errors share (and at least
    `MIN_VALUE_ERRORS` of them), in dimensions (tag values) the population leaves free."""
    if not rows:
        return []
    found = []
    for dimension in DIMENSIONS:
        fixed = _fixed(measure, dimension)
        if fixed and dimension != "tag":
            continue
        counts = Counter(value for row in rows for value in _values(row, dimension) if value not in fixed)
        for value, errors in counts.most_common():
            if errors < MIN_VALUE_ERRORS or errors / len(rows) < MIN_DIFFERENCE:
                break
            found.append((dimension, value, errors))
    return found


def _value_q(dimension: str, value: str) -> Q:
    if dimension == "tag":
        return Q(tags__contains=f";{value};")
    return Q(**{DIMENSIONS[dimension]: value})


def candidate_counts(measure: Measure, window: StoryWindow, candidates: list[tuple[str, str, int]]) -> dict:
    """Audits of the comparable traffic outside the slice (`outside`) and of the slice (`inside`) in the window, in all
    and with each candidate value (`o<i>`, `i<i>`), in one pass."""
    inside = population_q(measure.population)
    aggregates = {"outside": Count("id", filter=~inside), "inside": Count("id", filter=inside)}
    for index, (dimension, value, _errors) in enumerate(candidates):
        has = _value_q(dimension, value)
        aggregates[f"o{index}"] = Count("id", filter=~inside & has)
        aggregates[f"i{index}"] = Count("id", filter=inside & has)
    return (
        ModerationSample.objects.filter(comparable_q(measure), audited_at__gte=window.start)
        .filter(decided_at__gte=window.start, decided_at__lt=window.end)
        .order_by()
        .aggregate(**aggregates)
    )


def rank_unusual(candidates: list[tuple[str, str, int]], counts: dict, *, errors: int, has_control: bool) -> list:
    """The candidates as items, most different first; the ones that differ too little, or restate the slice (see the
    module docstring), left out."""
    base = "outside" if has_control else "inside"
    items = []
    for index, (dimension, value, value_errors) in enumerate(candidates):
        error_share = value_errors / errors
        base_share = counts[f"{base[0]}{index}"] / counts[base] if counts[base] else 0.0
        slice_share = counts[f"i{index}"] / counts["inside"] if counts["inside"] else 0.0
        difference = error_share - base_share
        if difference < MIN_DIFFERENCE or error_share - slice_share < MIN_WITHIN:
            continue
        items.append(
            {
                "dimension": dimension,
                "value": value,
                "errors": value_errors,
                "error_share": error_share,
                "base_share": base_share,
                "slice_share": slice_share,
                "basis": base,
                "difference": difference,
                "personal": dimension in PERSONAL_DIMENSIONS,
            }
        )
    items.sort(key=lambda item: (-item["difference"], -item["errors"], item["dimension"], item["value"]))
    return items[:TOP]


def unusual_values(measure: Measure, window: StoryWindow, rows: list[ErrorRow]) -> list[dict]:
    """The `TOP` most unusual values of the slice's errors in the window (see the module docstring)."""
    candidates = unusual_candidates(measure, rows)
    if not candidates:
        return []
    counts = candidate_counts(measure, window, candidates)
    return rank_unusual(candidates, counts, errors=len(rows), has_control=measure.has_control)
