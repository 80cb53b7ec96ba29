"""A measure in words, for people: its conditions as (label, value) pairs, the errors it counts in one sentence, and
where it comes from. Pure (no database access): the case room's Measure panel and the write-up both read it.

Auditor ids (an audit-driven measure's `auditor_id`) are personal data: every face passes the `mask` of its user
(`cases.permissions.personal_id_masker`), which hides them from partners; `masked_measure_dict` does it for a
measure's dict form (the API's, the story's and a fix verdict's figures).
"""

from collections.abc import Callable
from dataclasses import dataclass

from cases.measure.definition import PERSONAL_KEYS, Measure, MeasureSource

CONDITION_LABELS: dict[str, str] = {
    "decision_label": "Decision label",
    "market": "Market",
    "language": "Language",
    "decision_source": "Decided by",
    "model_version": "Model version",
    "queue": "Queue",
    "content_type": "Content type",
    "surface": "Surface",
    "tag": "Tag",
    "auditor_id": "Auditor",
}
_ORDER = {key: position for position, key in enumerate(CONDITION_LABELS)}
SOURCE_TEXTS: dict[str, str] = {
    MeasureSource.PATTERN: "From the detected pattern",
    MeasureSource.CASE: "Set by a lead",
    MeasureSource.SAMPLES: "Shared by its linked samples",
}


@dataclass(frozen=True)
class MeasureSummary:
    conditions: list[tuple[str, str]]  # (label, value), e.g. ("Market", "ID"); a list value reads "ID or BR"
    errors_text: str
    source: str
    source_text: str


def _quoted(words: tuple[str, ...] | list[str], joiner: str = "or") -> str:
    quoted = [f"“{word}”" for word in words]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"


def condition_value(value) -> str:
    return " or ".join(value) if isinstance(value, list) else str(value)


def errors_sentence(measure: Measure) -> str:
    """E.g. "Misclassified audits whose audit label is hate_speech and whose notes name “slang” or “insult”."""
    parts = []
    if measure.audit_label:
        parts.append(f"whose audit label is {measure.audit_label}")
    if measure.topic_terms:
        parts.append(f"whose notes name {_quoted(measure.topic_terms)}")
    if not parts:
        return "Every misclassified audit, whatever its label."
    return f"Misclassified audits {' and '.join(parts)}."


def masked_value(key: str, value, mask: Callable[[str], str]):
    """A condition's value as a user may see it: a personal one (an auditor id, or each of a list) through `mask`."""
    if key not in PERSONAL_KEYS:
        return value
    return [mask(item) for item in value] if isinstance(value, list) else mask(value)


def masked_measure_dict(data: dict | None, mask: Callable[[str], str]) -> dict | None:
    """A measure's dict form (`Measure.as_dict`) with its personal conditions through `mask`; the same dict when it
    has none."""
    population = (data or {}).get("population") or {}
    if not any(key in population for key in PERSONAL_KEYS):
        return data
    shown = {key: masked_value(key, value, mask) for key, value in population.items()}
    return {**data, "population": shown}


def measure_summary(measure: Measure, *, mask: Callable[[str], str] = str) -> MeasureSummary:
    """The measure in words; `mask` hides personal values (auditor ids) from a user who may not see them."""
    conditions = [
        (CONDITION_LABELS.get(key, key.replace("_", " ").capitalize()), condition_value(masked_value(key, value, mask)))
        for key, value in sorted(measure.population.items(), key=lambda item: _ORDER.get(item[0], len(_ORDER)))
    ]
    return MeasureSummary(
        conditions=conditions,
        errors_text=errors_sentence(measure),
        source=measure.source,
        source_text=SOURCE_TEXTS.get(measure.source, measure.source),
    )
