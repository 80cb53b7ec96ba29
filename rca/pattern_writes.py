"""The write step of a detection run: its hits become patterns, pattern samples and cases.

`patterns_record_hits` runs under the detection write lock, inside the run's transaction
(`rca.detection_runs.detection_run_finish`). Strongest hits first, each hit becomes a pattern (`rca.pattern_identity`),
its statistics and samples are recorded, and its case is opened, fed or reopened through `rca.case_port`. Patterns of
the analysed partitions that the run did not find again turn dormant.

An audit-driven pattern (the auditor pass's) is in the policy area `AUDIT_QUALITY` (its case is routed by it) and its
samples are marked `verdict_in_doubt`: the audit, not the decision, is what the case questions. The days of the
samples newly marked are rebuilt in the quality rollups once the run commits (the metrics can leave them out).
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from rca.case_port import pattern_case_record
from rca.choices import AUDIT_QUALITY, PatternStatus
from rca.detection.params import DetectionParams
from rca.detection.partitions import stake_label
from rca.detection.results import PartitionResult, PatternHit
from rca.fingerprints import pattern_name
from rca.models import DetectionRun, ErrorPattern, ModerationSample, PatternSample, PolicyLabel
from rca.pattern_identity import TopicResolver, pattern_find_or_create
from rca.quality.rollups import day_sql, decision_day, quality_rollups_mark_and_refresh

COUNTS = ("patterns_found", "patterns_new", "cases_opened", "cases_updated", "cases_reopened")
DEFAULT_SEVERITY_WEIGHT = 1  # a pattern whose label is unknown


def patterns_record_hits(*, run: DetectionRun, results: Sequence[PartitionResult]) -> dict[str, int]:
    """Write the partitions' hits of `run`; returns the run's counts (`COUNTS`: patterns found and new, cases
    opened, updated and reopened).

    Queries: a bounded number per hit, never per sample (a hit's samples travel as one array parameter on
    PostgreSQL). Idempotent: writing the same results again creates no pattern, sample link or case.
    """
    params = DetectionParams.from_dict(run.parameters)
    topics = TopicResolver(run, params.topic_match_similarity)
    labels = {label.code: label for label in PolicyLabel.objects.all()}
    label_names = {code: label.name for code, label in labels.items()}
    counts = dict.fromkeys(COUNTS, 0)
    taken: set[int] = set()
    partitions = [result.partition for result in results if result.partition]
    hits = sorted((hit for result in results for hit in result.hits), key=lambda hit: -hit.score)
    days_in_doubt: set[date] = set()
    for hit in hits:
        pattern, created = pattern_find_or_create(hit=hit, topics=topics, taken=taken)
        taken.add(pattern.pk)
        _update_pattern(pattern, hit, run, labels)
        added = _add_pattern_samples(pattern, hit.sample_ids, run)
        if hit.is_audit_driven:
            days_in_doubt |= _mark_verdicts_in_doubt(hit.sample_ids)
        label = labels.get(pattern.policy_label)
        outcome = pattern_case_record(
            pattern=pattern,
            sample_ids=hit.sample_ids,
            severity_weight=label.severity_weight if label else DEFAULT_SEVERITY_WEIGHT,
            label_names=label_names,
            new_sample_ids=added,
        )
        counts["patterns_found"] += 1
        counts["patterns_new"] += int(created)
        if outcome in ("opened", "updated", "reopened"):
            counts[f"cases_{outcome}"] += 1
    # Patterns of the analysed partitions that this run did not find are no longer significant.
    stale = ErrorPattern.objects.filter(status=PatternStatus.ACTIVE, policy_area__in=partitions).exclude(pk__in=taken)
    stale.update(status=PatternStatus.DORMANT, updated_at=timezone.now())
    quality_rollups_mark_and_refresh(days_in_doubt)
    return counts


def _update_pattern(pattern: ErrorPattern, hit: PatternHit, run: DetectionRun, labels: dict[str, PolicyLabel]) -> None:
    """The hit's statistics on its pattern; the days seen and the first and last sighting accumulate across runs."""
    stake = stake_label(hit.decision_label, hit.audit_label)
    label = labels.get(stake)
    daily = _merge_daily(pattern.daily_counts, hit.daily_counts)
    top_terms = hit.top_terms
    pattern.name = pattern_name(pattern.definition, top_terms)
    pattern.status = PatternStatus.ACTIVE
    pattern.top_terms = top_terms
    pattern.policy_area = AUDIT_QUALITY if hit.is_audit_driven else label.area if label else ""
    pattern.policy_label = stake
    pattern.market = str(hit.conditions.get("market", ""))[:2]
    pattern.support = hit.support
    pattern.error_count = hit.error_count
    pattern.error_rate = hit.error_rate
    pattern.baseline_rate = hit.baseline_rate
    pattern.lift = min(hit.lift, 1e9)
    pattern.first_seen = min(hit.first_seen, pattern.first_seen) if pattern.first_seen else hit.first_seen
    pattern.last_seen = max(hit.last_seen, pattern.last_seen) if pattern.last_seen else hit.last_seen
    pattern.daily_counts = daily
    pattern.days_seen = len(daily)
    pattern.last_run = run
    pattern.save()


def _merge_daily(previous: dict[str, Any] | None, current: dict[str, int]) -> dict[str, int]:
    merged = dict(previous or {})
    merged.update(current)
    return dict(sorted(merged.items()))


def _add_pattern_samples(pattern: ErrorPattern, sample_ids: Sequence[int], run: DetectionRun) -> list[int]:
    """Record the hit's samples on the pattern (existing pairs skipped): one statement, whatever the count. Returns
    the ids it added."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PatternSample._meta.db_table} (pattern_id, sample_id, run_id) "
                "SELECT %s, sample_id, %s FROM unnest(%s::bigint[]) AS sample_id ON CONFLICT DO NOTHING "
                "RETURNING sample_id",
                [pattern.pk, run.pk, list(sample_ids)],
            )
            return sorted(sample_id for (sample_id,) in cursor.fetchall())
    known = set(PatternSample.objects.filter(pattern=pattern).values_list("sample_id", flat=True))
    added = [sample_id for sample_id in dict.fromkeys(sample_ids) if sample_id not in known]
    PatternSample.objects.bulk_create(
        [PatternSample(pattern=pattern, sample_id=sample_id, run=run) for sample_id in added], ignore_conflicts=True
    )
    return added


def _mark_verdicts_in_doubt(sample_ids: Sequence[int]) -> set[date]:
    """Mark the samples of an audit-driven pattern `verdict_in_doubt` (those not marked yet): one statement; returns
    the days of decision of the samples it marked (their quality rollups change)."""
    if connection.vendor == "postgresql":
        day, day_params = day_sql("decided_at")
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH marked AS (UPDATE {ModerationSample._meta.db_table} SET verdict_in_doubt = true "
                "WHERE id = ANY(%s) AND NOT verdict_in_doubt RETURNING decided_at) "
                f"SELECT DISTINCT {day} FROM marked",
                [list(sample_ids), *day_params],
            )
            return {row[0] for row in cursor.fetchall()}
    unmarked = ModerationSample.objects.filter(pk__in=sample_ids, verdict_in_doubt=False)
    days = {decision_day(moment) for moment in unmarked.values_list("decided_at", flat=True).distinct()}
    unmarked.update(verdict_in_doubt=True)
    return days
