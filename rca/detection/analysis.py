"""One partition end to end, on plain data: encode, cluster the notes, search slices, cover, merge, describe.

`find_patterns(cube, errors, params)` is what a partition task runs after reading its rows; it returns a
`PartitionResult` of `PatternHit`s (`rca.detection.results`), which travels through Celery (as JSON) to the step that
writes patterns and cases.
"""

from collections import Counter
from datetime import UTC, date, datetime
from time import perf_counter

import numpy as np

from rca.detection.frame import CATEGORICAL, FEATURES, Frame, build_frame
from rca.detection.params import DetectionParams
from rca.detection.results import HitTopic, PartitionResult, PatternHit
from rca.detection.slices import Accepted, explain_away, merge_split_topics, search_candidates
from rca.detection.text import NO_TEXT, Topics, cluster_texts, term_similarity


def find_patterns(cube, errors, params: DetectionParams) -> PartitionResult:
    """Find the patterns of one partition: its hits, the errors analysed and each step's timing."""
    timings: dict[str, float] = {}
    started = perf_counter()
    frame = build_frame(cube, errors)
    timings["encode"] = perf_counter() - started
    if frame.n_errors == 0:
        return PartitionResult(timings=timings)

    started = perf_counter()
    topics = cluster_texts(
        frame.texts,
        groups=frame.err_kind,
        n_clusters=params.text_clusters,
        sample_size=params.text_sample,
        min_cluster_texts=params.min_cluster_texts,
        merge_similarity=params.topic_merge_similarity,
        seed=params.seed,
    )
    timings["text"] = perf_counter() - started

    started = perf_counter()
    slots = len(topics.terms) + 1  # topic NO_TEXT takes slot 0
    targets = frame.err_kind * slots + (topics.labels - NO_TEXT)
    n_targets = max(1, len(frame.kinds) * slots)
    candidates = search_candidates(frame, targets, n_targets, params)
    timings["search"] = perf_counter() - started

    started = perf_counter()
    accepted = explain_away(frame, targets, candidates, params)

    def topic_of(target: int) -> int:
        return target % slots + NO_TEXT

    def similarity(left: int, right: int) -> float:
        a, b = topic_of(left), topic_of(right)
        if a == NO_TEXT or b == NO_TEXT:
            return 0.0
        return term_similarity(topics.terms[a], topics.terms[b])

    merged = merge_split_topics(frame, accepted, lambda target: target // slots, similarity, params)
    hits = tuple(_describe(frame, topics, hit, slots) for hit in merged)
    timings["cover"] = perf_counter() - started
    return PartitionResult(hits=hits, timings=timings, errors=int(frame.n_errors), candidates=len(candidates))


def _topic(topics: Topics, topic: int) -> HitTopic | None:
    if topic == NO_TEXT:
        return None
    return HitTopic(terms=topics.terms[topic], top_terms=tuple(topics.top_terms[topic]))


def _describe(frame: Frame, topics: Topics, hit: Accepted, slots: int) -> PatternHit:
    decision_label, audit_label = frame.kinds[hit.target // slots]
    rows = hit.error_rows
    days = Counter(int(day) for day in frame.err_day[rows])
    stamps = frame.err_ts[rows]
    human = frame.err_human[rows]
    moderators = frame.err_moderator[rows][human]
    conditions = {FEATURES[feature]: frame.vocab[FEATURES[feature]][code] for feature, code in hit.conditions}
    ordered = {feature: conditions[feature] for feature in (*CATEGORICAL, "tag") if feature in conditions}
    return PatternHit(
        decision_label=decision_label,
        audit_label=audit_label,
        conditions=ordered,
        topic=_topic(topics, hit.target % slots - 1),
        merged_topics=tuple(_topic(topics, target % slots - 1) for target in hit.merged_targets),
        support=hit.stats.support,
        error_count=int(rows.size),
        error_rate=hit.stats.rate,
        baseline_rate=hit.stats.baseline,
        lift=hit.stats.lift,
        score=hit.stats.score,
        sample_ids=tuple(sorted(int(sample_id) for sample_id in frame.err_ids[rows])),
        daily_counts={date.fromordinal(day).isoformat(): count for day, count in sorted(days.items())},
        first_seen=datetime.fromtimestamp(float(stamps.min()), UTC),
        last_seen=datetime.fromtimestamp(float(stamps.max()), UTC),
        days_seen=len(days),
        content_items=int(np.unique(frame.err_item[rows]).size),
        moderators=int(np.unique(moderators[moderators >= 0]).size),
    )
