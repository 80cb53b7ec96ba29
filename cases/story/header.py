"""The header's figures: how big the problem is in the window, against comparable traffic.

- the slice: audits, errors of the measure's kind, their rate (`cases.measure.counts.window_counts`);
- the **complement**: the same error kind's rate in comparable traffic outside the slice (the measure's control), and
  the ratio of the two, capped (`cases.numbers.capped_ratio`): a ratio over 100, or against a zero rate, is "over
  100\u00d7", never a huge number;
- the slice's **total** error rate (any error, not only its kind) against the **overall** error rate of every audit
  decided in the window;
- who and what is involved: distinct content items, moderators (human decisions) and model versions of its errors;
- the slice's **support** as detection counts it: audits of its structural conditions whatever their decision label
  (`rca.detection` counts a slice's traffic over every decision; the error kind names the decision label), for the
  noise test's size (`cases.story.noise`).

Two queries: the measure's window counts, and one pass over the window's audits for the overall rates and the support.
"""

from django.db.models import Count, Q

from cases.measure.counts import Tally, Window, population_q, window_counts
from cases.measure.definition import COMPARABLE_KEYS, Measure
from cases.numbers import capped_ratio
from cases.story.rows import ErrorRow
from cases.story.window import StoryWindow
from rca.choices import DecisionSource, Outcome
from rca.models import ModerationSample


def _tally(tally: Tally | None) -> dict | None:
    if tally is None:
        return None
    return {"audits": tally.audits, "errors": tally.errors, "rate": tally.rate}


def involved(rows: list[ErrorRow]) -> dict:
    """Distinct content items, moderators (of human decisions) and model versions (of model decisions) of `rows`."""
    return {
        "items": len({row.content_id for row in rows}),
        "moderators": len(
            {row.moderator_id for row in rows if row.decision_source == DecisionSource.HUMAN and row.moderator_id}
        ),
        "model_versions": len(
            {row.model_version for row in rows if row.decision_source == DecisionSource.MODEL and row.model_version}
        ),
        "human_errors": sum(row.decision_source == DecisionSource.HUMAN for row in rows),
    }


def structural_population(measure: Measure) -> dict:
    """The population without the conditions that make traffic comparable (the decision label): the slice detection
    counts its support over."""
    return {key: value for key, value in measure.population.items() if key not in COMPARABLE_KEYS}


def _overall(measure: Measure, window: StoryWindow) -> dict:
    error = ~Q(outcome=Outcome.CORRECT)
    inside = population_q(measure.population)
    return (
        ModerationSample.objects.filter(audited_at__gte=window.start)
        .filter(decided_at__gte=window.start, decided_at__lt=window.end)
        .order_by()
        .aggregate(
            audits=Count("id"),
            errors=Count("id", filter=error),
            slice_audits=Count("id", filter=inside),
            slice_errors=Count("id", filter=inside & error),
            support=Count("id", filter=population_q(structural_population(measure))),
        )
    )


def header_figures(measure: Measure, window: StoryWindow, rows: list[ErrorRow]) -> dict:
    """The header's numbers (rates as fractions; the ratio capped, `None` with `ratio_over_cap` above the cap), and the
    slice's `support` (audits of its structural conditions, any decision label)."""
    counts = window_counts(measure, [Window("story", window.start, window.end)])["story"]
    complement = counts.control
    ratio, over_cap = capped_ratio(counts.slice.rate, complement.rate if complement else None)
    overall = _overall(measure, window)
    any_errors = Tally(overall["slice_audits"], overall["slice_errors"])
    all_audits = Tally(overall["audits"], overall["errors"])
    any_ratio, any_over_cap = capped_ratio(any_errors.rate, all_audits.rate)
    return {
        "slice": _tally(counts.slice),
        "complement": _tally(complement),
        "ratio": ratio,
        "ratio_over_cap": over_cap,
        "any_errors": _tally(any_errors),
        "overall": _tally(all_audits),
        "any_ratio": any_ratio,
        "any_ratio_over_cap": any_over_cap,
        "support": overall["support"],
        **involved(rows),
    }
