"""Which pattern a detection hit is: the same problem keeps one `ErrorPattern` (and so one case) across runs.

A hit's identity is its definition (error kind, slice, text topic) hashed into a fingerprint (`rca.fingerprints`).
Three things keep it stable when the analysis sees the problem a little differently from one run to the next:

- text topics are matched to the known topics of the same error kind by term similarity (`TopicResolver`), so a
  topic's id, part of the fingerprint, survives rewordings;
- the fingerprints of the topics merged into a hit are recorded as aliases (`PatternFingerprint`) of its pattern;
- failing both, a pattern of the same error kind already holding at least half of the hit's samples is the hit (for an
  audit-driven pattern: the same direction, so a group whose members changed stays one pattern).

Every write here is a get-or-create on a unique key, so writing the same hit twice creates nothing new.
"""

from django.db import connection
from django.db.models import Count

from rca.detection.results import HitTopic, PatternHit
from rca.detection.text import term_similarity
from rca.fingerprints import pattern_fingerprint, pattern_name
from rca.models import DetectionRun, ErrorPattern, PatternFingerprint, PatternSample, TextTopic


class TopicResolver:
    """Match a run's text topics to known topics of the same error kind by term similarity; create the rest.

    One per run: the known topics of a kind are read once, and the topics it creates are matched by later hits.
    """

    def __init__(self, run: DetectionRun, threshold: float) -> None:
        self.run = run
        self.threshold = threshold
        self.known: dict[str, list[TextTopic]] = {}

    def resolve(self, kind: str, topic: HitTopic | None) -> TextTopic | None:
        if topic is None or not topic.terms:
            return None
        if kind not in self.known:
            self.known[kind] = list(TextTopic.objects.filter(error_kind=kind))
        scored = [(term_similarity(topic.terms, known.terms), known) for known in self.known[kind]]
        best_score, best = max(scored, key=lambda pair: (pair[0], -pair[1].pk), default=(0.0, None))
        if best is not None and best_score >= self.threshold:
            if best.last_seen_run_id != self.run.pk:
                best.last_seen_run = self.run
                best.save(update_fields=["last_seen_run"])
            return best
        created = TextTopic.objects.create(
            error_kind=kind, terms=topic.terms, top_terms=list(topic.top_terms), last_seen_run=self.run
        )
        self.known[kind].append(created)
        return created


def pattern_definition(hit: PatternHit, topic: TextTopic | None) -> dict:
    """The definition a fingerprint hashes: error kind, the slice's conditions, and the text topic's id if any.

    An audit-driven hit pools error kinds: its label that may be any is left out (`audit_label: none` alone is "every
    overturned removal"), and its conditions name the auditor(s)."""
    labels = {"decision_label": hit.decision_label, "audit_label": hit.audit_label}
    definition = {key: value for key, value in labels.items() if value or not hit.is_audit_driven}
    definition.update(hit.conditions)
    if topic is not None:
        definition["text_topic"] = topic.pk
    return definition


def pattern_find_or_create(*, hit: PatternHit, topics: TopicResolver, taken: set[int]) -> tuple[ErrorPattern, bool]:
    """The pattern `hit` is (created if none), and whether it was created; records the hit's other fingerprints as
    aliases of it.

    `taken` holds the patterns that earlier (stronger) hits of the same run became: two hits of one run never become
    one pattern. The caller adds the returned pattern to it.
    """
    topic = topics.resolve(hit.kind, hit.topic)
    definition = pattern_definition(hit, topic)
    fingerprint = pattern_fingerprint(definition)
    aliases = [
        pattern_fingerprint(pattern_definition(hit, topics.resolve(hit.kind, merged)))
        for merged in hit.merged_topics
        if merged
    ]
    pattern = _find_pattern([fingerprint, *aliases], hit, taken)
    created = False
    if pattern is None:
        name = pattern_name(definition, hit.top_terms)
        pattern, created = ErrorPattern.objects.get_or_create(
            fingerprint=fingerprint, defaults={"name": name, "definition": definition}
        )
    for alias in {fingerprint, *aliases} - {pattern.fingerprint}:
        PatternFingerprint.objects.get_or_create(fingerprint=alias, defaults={"pattern": pattern})
    return pattern, created


def _find_pattern(fingerprints: list[str], hit: PatternHit, taken: set[int]) -> ErrorPattern | None:
    """The pattern owning one of the fingerprints, else the one already holding most of the hit's samples."""
    pattern = ErrorPattern.objects.filter(fingerprint__in=fingerprints).exclude(pk__in=taken).first()
    if pattern is None:
        alias = (
            PatternFingerprint.objects.filter(fingerprint__in=fingerprints)
            .exclude(pattern_id__in=taken)
            .select_related("pattern")
            .first()
        )
        pattern = alias.pattern if alias else None
    if pattern is not None:
        return pattern
    overlap = _largest_overlap(hit.sample_ids, taken)
    if overlap and overlap[1] * 2 >= len(hit.sample_ids):
        candidate = ErrorPattern.objects.get(pk=overlap[0])
        same_kind = (
            candidate.definition.get("decision_label", "") == hit.decision_label
            and candidate.definition.get("audit_label", "") == hit.audit_label
            and candidate.is_audit_driven == hit.is_audit_driven
        )
        return candidate if same_kind else None
    return None


def _largest_overlap(sample_ids: tuple[int, ...], taken: set[int]) -> tuple[int, int] | None:
    """(pattern id, shared samples) of the pattern outside `taken` holding most of `sample_ids`, or None.

    On PostgreSQL the ids travel as one array parameter: a pattern can hold tens of thousands of samples, and an
    `IN (...)` list of that size costs more to build in Python than the query costs to run.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pattern_id, count(*) FROM {PatternSample._meta.db_table} "
                "WHERE sample_id = ANY(%s) AND NOT (pattern_id = ANY(%s)) "
                "GROUP BY pattern_id ORDER BY count(*) DESC, pattern_id LIMIT 1",
                [list(sample_ids), sorted(taken)],
            )
            row = cursor.fetchone()
        return (row[0], row[1]) if row else None
    row = (
        PatternSample.objects.filter(sample_id__in=sample_ids)
        .exclude(pattern_id__in=taken)
        .values("pattern_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "pattern_id")
        .first()
    )
    return (row["pattern_id"], row["shared"]) if row else None
