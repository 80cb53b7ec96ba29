"""What the analysis of a partition finds, on its way from `find_patterns` to the step that writes patterns and cases.

Frozen dataclasses, so that the write step reads named, typed fields rather than the keys of a dict. A chord carries
its results between Celery workers as JSON: `to_dict()` gives plain JSON values (tuples as lists, datetimes as ISO
8601 text) and `from_dict()` reads them back into an equal object.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class HitTopic:
    """A text topic of the notes: characteristic term -> weight (unit norm), and the few terms that name it."""

    terms: dict[str, float]
    top_terms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"terms": dict(self.terms), "top_terms": list(self.top_terms)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "HitTopic | None":
        if data is None:
            return None
        return cls(terms=dict(data["terms"]), top_terms=tuple(data["top_terms"]))


@dataclass(frozen=True)
class PatternHit:
    """One pattern found in a partition: its error kind, slice and topic, its statistics, and the samples it holds."""

    decision_label: str
    audit_label: str
    conditions: dict[str, str | list[str]]  # feature -> value, in the slice's feature order; a group's auditor ids
    topic: HitTopic | None  # None: a pattern without text
    merged_topics: tuple[HitTopic | None, ...]  # topics of split wordings merged into this hit (aliases)
    support: int  # audits in the slice
    error_count: int
    error_rate: float
    baseline_rate: float
    lift: float
    score: float  # ranks the hits of a run: the write step takes the strongest first
    sample_ids: tuple[int, ...]  # sorted
    daily_counts: dict[str, int]  # ISO date -> errors, sorted
    first_seen: datetime
    last_seen: datetime
    days_seen: int
    content_items: int
    moderators: int

    @property
    def kind(self) -> str:
        """The error kind, `decision label>audit label`: topics are matched within one kind."""
        return f"{self.decision_label}>{self.audit_label}"

    @property
    def is_audit_driven(self) -> bool:
        """A pattern of the auditor pass (`rca.detection.auditors`): the audit is in doubt, not the decision."""
        return "auditor_id" in self.conditions

    @property
    def top_terms(self) -> list[str]:
        return list(self.topic.top_terms) if self.topic else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_label": self.decision_label,
            "audit_label": self.audit_label,
            "conditions": dict(self.conditions),
            "topic": self.topic.to_dict() if self.topic else None,
            "merged_topics": [topic.to_dict() if topic else None for topic in self.merged_topics],
            "support": self.support,
            "error_count": self.error_count,
            "error_rate": self.error_rate,
            "baseline_rate": self.baseline_rate,
            "lift": self.lift,
            "score": self.score,
            "sample_ids": list(self.sample_ids),
            "daily_counts": dict(self.daily_counts),
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "days_seen": self.days_seen,
            "content_items": self.content_items,
            "moderators": self.moderators,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PatternHit":
        return cls(
            decision_label=data["decision_label"],
            audit_label=data["audit_label"],
            conditions=dict(data["conditions"]),
            topic=HitTopic.from_dict(data["topic"]),
            merged_topics=tuple(HitTopic.from_dict(topic) for topic in data["merged_topics"]),
            support=data["support"],
            error_count=data["error_count"],
            error_rate=data["error_rate"],
            baseline_rate=data["baseline_rate"],
            lift=data["lift"],
            score=data["score"],
            sample_ids=tuple(data["sample_ids"]),
            daily_counts=dict(data["daily_counts"]),
            first_seen=datetime.fromisoformat(data["first_seen"]),
            last_seen=datetime.fromisoformat(data["last_seen"]),
            days_seen=data["days_seen"],
            content_items=data["content_items"],
            moderators=data["moderators"],
        )


@dataclass(frozen=True)
class PartitionResult:
    """The hits of one partition, with what it read and how long each step took (seconds, by step name)."""

    hits: tuple[PatternHit, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    errors: int = 0  # misclassified audits analysed
    candidates: int = 0  # slices the search kept before the cover
    partition: str = ""  # the policy area; set by the run step (the analysis does not know it)
    samples: int = 0  # audits in the run's window (the traffic cube's total); set by the run step

    def placed(self, *, partition: str, samples: int, timings: dict[str, float]) -> "PartitionResult":
        """This result as the run step reports it: its partition, the window's audits, and its read timings first."""
        return replace(self, partition=partition, samples=samples, timings={**timings, **self.timings})

    def to_dict(self) -> dict[str, Any]:
        return {
            "hits": [hit.to_dict() for hit in self.hits],
            "timings": dict(self.timings),
            "errors": self.errors,
            "candidates": self.candidates,
            "partition": self.partition,
            "samples": self.samples,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PartitionResult":
        return cls(
            hits=tuple(PatternHit.from_dict(hit) for hit in data["hits"]),
            timings=dict(data["timings"]),
            errors=data["errors"],
            candidates=data["candidates"],
            partition=data["partition"],
            samples=data["samples"],
        )
