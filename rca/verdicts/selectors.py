"""Reads of second audits: the verdict pairs that agreement is computed from, a calibration set's rounds, and a
sample's review history. Reviews are few next to audits (thousands, not millions), so pairs are built in Python from
one query per kind; the arithmetic is in `rca.verdicts.agreement`.
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rca.choices import NO_VIOLATION
from rca.models import ModerationSample
from rca.verdicts.agreement import Kappa, VerdictPair, cohen_kappa
from rca.verdicts.choices import RESOLVING_KINDS, ReviewKind
from rca.verdicts.models import SampleReview


def policy_at_stake(*, final_label: str, decision_label: str) -> str:
    """The policy a verdict is about: the final label, or the decision's when the final label is "no violation"."""
    return final_label if final_label != NO_VIOLATION else decision_label


@dataclass(frozen=True)
class PairFilters:
    reviewed_after: datetime | None = None
    reviewed_before: datetime | None = None
    policy: str = ""
    market: str = ""
    auditor: str = ""
    sample_ids: Iterable[int] | None = None  # a calibration set's samples


def _keep(filters: PairFilters, pair: VerdictPair, reviewed_at: datetime) -> bool:
    return (
        (filters.reviewed_after is None or reviewed_at >= filters.reviewed_after)
        and (filters.reviewed_before is None or reviewed_at < filters.reviewed_before)
        and (not filters.policy or pair.policy == filters.policy)
        and (not filters.auditor or pair.auditor_id == filters.auditor)
    )


def _reviews(kinds, filters: PairFilters):
    queryset = SampleReview.objects.filter(kind__in=kinds)
    if filters.market:
        queryset = queryset.filter(sample__market=filters.market)
    if filters.sample_ids is not None:
        queryset = queryset.filter(sample_id__in=filters.sample_ids)
    return queryset


def verdict_pairs(filters: PairFilters | None = None) -> list[VerdictPair]:
    """Every pair (docs/audit-quality.md): each sample's first audit that a resolution reviewed (its earliest
    resolution holds the original verdict and auditor), against the sample's final label; and each calibration
    answer against it. `reviewed_after` / `reviewed_before` apply to the (earliest) review's time."""
    filters = filters or PairFilters()
    pairs: list[VerdictPair] = []
    seen: set[int] = set()
    fields = ("sample_id", "verdict_label_id", "verdict_auditor_id", "reviewed_at")
    sample_fields = ("sample__audit_label_id", "sample__decision_label_id", "sample__market")
    resolutions = _reviews(RESOLVING_KINDS, filters).order_by("sample_id", "id").values_list(*fields, *sample_fields)
    for sample_id, label, auditor, reviewed_at, final, decision, market in resolutions:
        if sample_id in seen:
            continue
        seen.add(sample_id)
        policy = policy_at_stake(final_label=final, decision_label=decision)
        pair = VerdictPair(auditor, label, final, policy, market, first_audit=True)
        if _keep(filters, pair, reviewed_at):
            pairs.append(pair)
    answers = _reviews([ReviewKind.CALIBRATION], filters).values_list(
        "reviewer_auditor_id", "label_id", "reviewed_at", *sample_fields
    )
    for auditor, label, reviewed_at, final, decision, market in answers:
        policy = policy_at_stake(final_label=final, decision_label=decision)
        pair = VerdictPair(auditor, label, final, policy, market, first_audit=False)
        if _keep(filters, pair, reviewed_at):
            pairs.append(pair)
    return pairs


# CALIBRATION ROUNDS
# ------------------------------------------------------------------------------


@dataclass
class RoundScore:
    name: str
    started_at: datetime | None
    answers: int
    auditors: int
    samples: int
    figures: Kappa
    agreement_change: float | None = None  # against the round before (None for the first)
    kappa_change: float | None = None


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def calibration_rounds(*, sample_ids: Iterable[int]) -> tuple[RoundScore | None, list[RoundScore]]:
    """A calibration set's scores: the first audits of its samples that were second-reviewed (the baseline, None when
    none was), then each round of calibration answers against the final labels, oldest round first, each with its
    change from the round before. A round is the answers' `review_round`, or their day when it is empty."""
    sample_ids = list(sample_ids)
    baseline_pairs = [pair for pair in verdict_pairs(PairFilters(sample_ids=sample_ids)) if pair.first_audit]
    baseline = None
    if baseline_pairs:
        figures = cohen_kappa((pair.auditor_label, pair.final_label) for pair in baseline_pairs)
        auditors = len({pair.auditor_id for pair in baseline_pairs})
        baseline = RoundScore("First audits, second-reviewed", None, figures.n, auditors, figures.n, figures)
    rounds: dict[str, list[tuple]] = defaultdict(list)
    answers = SampleReview.objects.filter(kind=ReviewKind.CALIBRATION, sample_id__in=sample_ids).values_list(
        "round", "reviewed_at", "reviewer_auditor_id", "sample_id", "label_id", "sample__audit_label_id"
    )
    for name, reviewed_at, auditor, sample_id, label, final in answers:
        rounds[name or reviewed_at.date().isoformat()].append((reviewed_at, auditor, sample_id, label, final))
    scores = []
    for name, rows in rounds.items():
        figures = cohen_kappa((label, final) for *_, label, final in rows)
        scores.append(
            RoundScore(
                name=name,
                started_at=min(row[0] for row in rows),
                answers=len(rows),
                auditors=len({row[1] for row in rows if row[1]}),
                samples=len({row[2] for row in rows}),
                figures=figures,
            )
        )
    scores.sort(key=lambda score: (score.started_at, score.name))
    for before, score in itertools.pairwise(scores):
        score.agreement_change = _change(score.figures.p_observed, before.figures.p_observed)
        score.kappa_change = _change(score.figures.kappa, before.figures.kappa)
    return baseline, scores


def sample_history(sample: ModerationSample) -> list[SampleReview]:
    """The sample's second audits, oldest first, with what the pages show of them."""
    return list(sample.reviews.select_related("label", "verdict_label", "reviewer").order_by("id"))
