"""A measure in words, for people: its conditions as (label, value) pairs, the errors it counts in one sentence, and
where it comes from. Pure (no database access): the case room's Measure panel and the write-up both read it.
"""

from dataclasses import dataclass

from cases.measure.definition import Measure, MeasureSource

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


def measure_summary(measure: Measure) -> MeasureSummary:
    conditions = [
        (CONDITION_LABELS.get(key, key.replace("_", " ").capitalize()), condition_value(value))
        for key, value in sorted(measure.population.items(), key=lambda item: _ORDER.get(item[0], len(_ORDER)))
    ]
    return MeasureSummary(
        conditions=conditions,
        errors_text=errors_sentence(measure),
        source=measure.source,
        source_text=SOURCE_TEXTS.get(measure.source, measure.source),
    )
