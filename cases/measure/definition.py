"""What a measure is, and a case's measure.

A measure has two parts:

- the **population**: the audits of the slice's structural conditions (decision label, market, language, decision
  source, model version, queue, content type, surface, tag). A value may be a list (any of its values);
- the **errors** counted in it: misclassified audits (`outcome != correct`) of the population, with the pattern's
  audit label when it names one, and, for a pattern with a text topic, whose notes name one of the topic's terms.

The measure's **comparable traffic** is the audits that share its decision label (all audits when it names none); its
**control** is the comparable traffic outside the population: the same error kind elsewhere, which tells a platform-wide
change from the slice's own.

An audit-driven measure (an auditor pattern's: its population names `auditor_id`, one id or a group's list) questions
the audits, not the decisions: its comparable traffic is its structural slice (every condition but the auditor), and
its control is the same decisions audited by peers: the slice's audits by other auditors (audits without an auditor id
left out). Auditor ids are personal data: faces shown to users who may not see them mask them
(`cases.measure.describe.masked_measure_dict`).

A case's measure, in order: the one a lead set on the case (`Case.measure`), else its pattern's, else the attributes
every one of its linked samples shares.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from rca.models import ErrorPattern, ModerationSample, TextTopic

# Keys of a population and the sample field each one filters.
POPULATION_FIELDS: dict[str, str] = {
    "decision_label": "decision_label_id",
    "market": "market",
    "language": "language",
    "decision_source": "decision_source",
    "model_version": "model_version",
    "queue": "queue",
    "content_type": "content_type",
    "surface": "surface",
    "tag": "tags",
    "auditor_id": "auditor_id",
}
# The auditor condition of an audit-driven measure (personal data); the conditions on moderation decisions are the rest.
AUDITOR_KEY = "auditor_id"
PERSONAL_KEYS = (AUDITOR_KEY,)
DECISION_FIELDS = tuple(key for key in POPULATION_FIELDS if key != AUDITOR_KEY)
# The keys that make traffic comparable: the control shares them with the population.
COMPARABLE_KEYS = ("decision_label",)
MAX_TOPIC_TERMS = 5
SHARED_KEYS = ("decision_label", "market", "language", "decision_source", "model_version", "queue", "content_type")


class MeasureSource:
    PATTERN = "pattern"
    CASE = "case"
    SAMPLES = "samples"


@dataclass(frozen=True)
class Measure:
    population: dict = field(default_factory=dict)
    audit_label: str = ""
    topic_terms: tuple[str, ...] = ()
    source: str = MeasureSource.PATTERN

    @property
    def is_audit_driven(self) -> bool:
        """Whether the population names auditors: the audits are in doubt, not the decisions."""
        return AUDITOR_KEY in self.population

    @property
    def comparable(self) -> dict:
        """The conditions the control shares: the decision label; for an audit-driven measure, its whole structural
        slice (the control is then its decisions audited by peers: `cases.measure.counts.comparable_q`)."""
        if self.is_audit_driven:
            return {key: value for key, value in self.population.items() if key != AUDITOR_KEY}
        return {key: value for key, value in self.population.items() if key in COMPARABLE_KEYS}

    @property
    def has_control(self) -> bool:
        """Whether the population narrows its comparable traffic (else there is no traffic outside it to compare)."""
        comparable = self.comparable
        return any(key not in comparable for key in self.population)

    def as_dict(self) -> dict:
        return {
            "population": dict(sorted(self.population.items())),
            "audit_label": self.audit_label,
            "topic_terms": list(self.topic_terms),
            "source": self.source,
        }


def measure_from_dict(data: dict, *, source: str = MeasureSource.CASE) -> Measure:
    """A measure from its stored or submitted form; raises `ValidationError` naming the bad key."""
    if not isinstance(data, dict):
        raise ValidationError({"measure": "A measure is an object with `population` and `audit_label`."})
    population = data.get("population") or {}
    if not isinstance(population, dict):
        raise ValidationError({"population": "An object of condition -> value."})
    unknown = sorted(set(population) - set(POPULATION_FIELDS))
    if unknown:
        known = ", ".join(POPULATION_FIELDS)
        raise ValidationError({"population": f"Unknown condition(s): {', '.join(unknown)}. Known: {known}."})
    clean: dict = {}
    for key, value in population.items():
        values = value if isinstance(value, list) else [value]
        if not values or any(not isinstance(item, str) or not item.strip() for item in values):
            raise ValidationError({"population": f"`{key}` needs a non-empty text value (or a list of them)."})
        clean[key] = [item.strip() for item in values] if isinstance(value, list) else value.strip()
    audit_label = data.get("audit_label") or ""
    if not isinstance(audit_label, str):
        raise ValidationError({"audit_label": "A label code."})
    audit_label = audit_label.strip()
    terms = data.get("topic_terms") or []
    if not isinstance(terms, list) or any(not isinstance(term, str) or not term.strip() for term in terms):
        raise ValidationError({"topic_terms": "A list of words."})
    if not clean and not audit_label:
        raise ValidationError({"measure": "Name at least one condition or an audit label."})
    return Measure(
        population=clean,
        audit_label=audit_label,
        topic_terms=tuple(term.strip().lower() for term in terms[:MAX_TOPIC_TERMS]),
        source=source,
    )


def pattern_measure(pattern: ErrorPattern) -> Measure:
    """The measure of a detected pattern: its slice's conditions and decision label (an auditor pattern's auditor or
    group of auditors among them); its audit label and topic."""
    definition = pattern.definition or {}
    population = {
        key: value for key, value in definition.items() if key in POPULATION_FIELDS and value not in (None, "", [])
    }
    terms: tuple[str, ...] = ()
    if definition.get("text_topic") is not None:
        topic = TextTopic.objects.filter(pk=definition["text_topic"]).only("top_terms").first()
        top = (topic.top_terms if topic is not None else None) or pattern.top_terms or []
        terms = tuple(str(term).lower() for term in top[:MAX_TOPIC_TERMS])
    return Measure(
        population=dict(sorted(population.items())),
        audit_label=str(definition.get("audit_label") or ""),
        topic_terms=terms,
        source=MeasureSource.PATTERN,
    )


def samples_measure(sample_ids: list[int]) -> Measure | None:
    """The attributes every sample shares (decision label, market, language, source, model version, queue, content
    type), with their shared audit label as the error; None when they share nothing."""
    if not sample_ids:
        return None
    fields = [POPULATION_FIELDS[key] for key in SHARED_KEYS] + ["audit_label_id"]
    distinct = {name: set() for name in fields}
    for row in ModerationSample.objects.filter(pk__in=sample_ids).values_list(*fields).distinct()[:1000]:
        for name, value in zip(fields, row, strict=True):
            distinct[name].add(value)
    population = {
        key: next(iter(distinct[POPULATION_FIELDS[key]]))
        for key in SHARED_KEYS
        if len(distinct[POPULATION_FIELDS[key]]) == 1 and next(iter(distinct[POPULATION_FIELDS[key]])) != ""
    }
    audit_labels = distinct["audit_label_id"]
    audit_label = next(iter(audit_labels)) if len(audit_labels) == 1 else ""
    if population.get("decision_label") == audit_label:
        audit_label = ""  # the samples are correct decisions: count every error of the population
    if not population and not audit_label:
        return None
    return Measure(population=population, audit_label=audit_label, source=MeasureSource.SAMPLES)


# The samples explorer's filters that are conditions of a population (`cases.evidence.filters.SampleFilter`).
FILTER_CONDITIONS = ("decision_label", "market", "language", "decision_source", "model_version", "queue",
                     "content_type", "tag")  # fmt: skip
ONE_WORD = re.compile(r"^[\w-]+$")


def filters_measure(cleaned: Mapping[str, object]) -> Measure | None:
    """The measure of the samples explorer's filters (their cleaned data): the structural filters as the population,
    the audit label as the error counted, and a one-word text search as the topic word (a phrase, the outcome and the
    dates have no equivalent in a measure and are left out); None when no filter maps to a condition."""
    population = {}
    for key in FILTER_CONDITIONS:
        value = cleaned.get(key)
        code = getattr(value, "code", value)  # labels come as PolicyLabel rows
        if isinstance(code, str) and code.strip():
            population[key] = code.strip().upper() if key == "market" else code.strip()
    label = cleaned.get("audit_label")
    audit_label = getattr(label, "code", "") or ""
    if population.get("decision_label") == audit_label:
        audit_label = ""  # the filter picked correct decisions: count every error of the population
    words = str(cleaned.get("q") or "").strip()
    terms = (words.lower(),) if ONE_WORD.match(words) else ()
    if not population and not audit_label:
        return None
    return Measure(population=population, audit_label=audit_label, topic_terms=terms, source=MeasureSource.CASE)


def case_measure(case) -> Measure | None:
    """The case's measure (see the module docstring); None when there is nothing to measure."""
    if case.measure:
        return measure_from_dict(case.measure, source=MeasureSource.CASE)
    if case.pattern_id is not None:
        return pattern_measure(case.pattern)
    sample_ids = list(case.sample_links.values_list("sample_id", flat=True)[:5000])
    return samples_measure(sample_ids)
