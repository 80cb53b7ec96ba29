"""The thresholds of a detection run, as one frozen value built from settings (or given by tests and benchmarks)."""

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class DetectionParams:
    window_days: int = 14
    max_conditions: int = 3  # slice conditions besides the error kind and the text topic
    min_support: int = 40  # audits in the slice
    min_errors: int = 12  # misclassified samples of the error kind (and topic) in the slice
    min_lift: float = 3.0  # slice error rate / error rate of the surrounding traffic
    z: float = 3.29  # Wilson lower bound (one-sided ~0.05%) must clear the surrounding rate
    min_days: int = 3  # distinct days with an error of the pattern
    min_items: int = 5  # distinct content items
    min_moderators: int = 2  # distinct moderators, for patterns of human decisions
    dominance: float = 0.05  # a longer slice must score this much better than a parent to be kept
    text_clusters: int = 16  # at most k k-means clusters per error kind (capped by the number of texts)
    text_sample: int = 20000  # texts the vectoriser and k-means are fitted on
    min_cluster_texts: int = 5  # k = texts / this (at most text_clusters): k-means over-splits, merging joins
    topic_merge_similarity: float = 0.15  # k-means clusters of one error kind merge above this term similarity
    hit_merge_similarity: float = 0.10  # hits of one kind on overlapping slices merge above this topic similarity
    topic_match_similarity: float = 0.5  # a run's cluster is a known topic above this term similarity
    auditor_min_audits: int = 60  # audits of each auditor of an auditor pattern, in its scope (no verdict on a few)
    auditor_min_errors: int = 20  # overturns of an auditor pattern (pooled over error kinds, so more than min_errors)
    auditor_max_group: int = 5  # auditors of one market in a group pattern
    auditor_pass: bool = True  # look for auditor-driven patterns at all (off: no auditor-level analysis)
    seed: int = 1

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DetectionParams":
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def params_from_settings(*, window_days: int | None = None) -> DetectionParams:
    """The thresholds in `settings.DETECTION_*` (see config/settings/base.py, DETECTION)."""
    from django.conf import settings

    configured = {
        field.name: getattr(settings, f"DETECTION_{field.name.upper()}")
        for field in fields(DetectionParams)
        if hasattr(settings, f"DETECTION_{field.name.upper()}")
    }
    if window_days is not None:
        configured["window_days"] = window_days
    return DetectionParams(**configured)
