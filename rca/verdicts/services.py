"""Writes of second audits: record a review, and keep resolved labels through re-imports.

- `review_record`: one second audit of a sample, the sample's row locked. A *resolution* (a dispute's review, an
  imported second review) decides the sample's final label: when its label differs from the sample's audit label the
  verdict is overturned and the sample's `audit_label` and `outcome` (rca/outcomes.py) are corrected; either way the
  verdict is no longer in doubt, and `rca.case_port` writes it on the timeline of every case the sample is linked to
  (and settles the sample's open dispute with it). A *calibration answer* is stored and changes nothing else.
  Each review keeps the verdict it reviewed (label, outcome, whose it was): an overturned sample's history.
- `resolutions_reapply`: an import replaces a sample's fields with the record's, so after each batch the samples that
  have a resolution get their final label back (the latest resolution's), with the outcome derived again.
- `review_refusal`: the one rule on who may second-review: nobody who already gave a verdict on the decision.
"""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from rca.case_port import sample_verdict_reviewed
from rca.models import ModerationSample
from rca.outcomes import derive_outcome
from rca.quality.rollups import decision_day, quality_rollups_mark_and_refresh
from rca.verdicts.choices import RESOLVING_KINDS, ReviewKind
from rca.verdicts.models import SampleReview

OWN_VERDICT = "The reviewer gave a verdict on this decision already; a second review needs another auditor or a lead."
_IN_CHUNK = 900  # SQLite's limit on query parameters, with room to spare


def _resolutions(sample: ModerationSample):
    return SampleReview.objects.filter(sample=sample, kind__in=RESOLVING_KINDS)


def verdict_auditor_id(sample: ModerationSample) -> str:
    """Whose verdict the sample holds: its auditor's, or the reviewer's who last overturned it."""
    overturn = _resolutions(sample).filter(overturned=True).order_by("-id").only("reviewer_auditor_id").first()
    return overturn.reviewer_auditor_id if overturn else sample.auditor_id


def review_refusal(*, sample: ModerationSample, auditor_id: str = "", user: User | None = None) -> str | None:
    """Why this reviewer may not second-review `sample` (None: they may). Refused: the sample's own auditor, and whoever
    already resolved it (by auditor id, or as the same user)."""
    auditor_id = auditor_id.strip()
    if auditor_id and auditor_id == sample.auditor_id:
        return OWN_VERDICT
    earlier = _resolutions(sample)
    if auditor_id and earlier.filter(reviewer_auditor_id=auditor_id).exists():
        return OWN_VERDICT
    if user is not None and earlier.filter(reviewer=user).exists():
        return OWN_VERDICT
    return None


def review_record(
    *,
    sample: ModerationSample,
    kind: ReviewKind,
    label: str,
    reviewed_at: datetime | None = None,
    reviewer_auditor_id: str = "",
    reviewer: User | None = None,
    notes: str = "",
    round_name: str = "",
    external_id: str | None = None,
    actor: User | None = None,
) -> SampleReview:
    """Record one second audit of `sample` (see the module docstring). The caller has checked `review_refusal` and
    that `label` is an active policy label; must run inside a transaction (it locks the sample's row). `actor`: who
    the timelines name (default: the reviewer; an import names the importing user, or nobody)."""
    locked = ModerationSample.objects.select_for_update().get(pk=sample.pk)
    review = SampleReview(
        sample=locked,
        kind=kind,
        external_id=external_id or None,
        label_id=label,
        reviewer_auditor_id=reviewer_auditor_id,
        reviewer=reviewer,
        round=round_name,
        notes=notes,
        reviewed_at=reviewed_at or timezone.now(),
        verdict_label_id=locked.audit_label_id,
        verdict_outcome=locked.outcome,
        verdict_auditor_id=verdict_auditor_id(locked),
        overturned=kind in RESOLVING_KINDS and label != locked.audit_label_id,
    )
    review.save()
    if kind in RESOLVING_KINDS:
        changes = {"verdict_in_doubt": False}
        if review.overturned:
            changes |= {
                "audit_label_id": label,
                "outcome": derive_outcome(locked.decision_label_id, label),
                "updated_at": timezone.now(),
            }
        ModerationSample.objects.filter(pk=locked.pk).update(**changes)
        if review.overturned or locked.verdict_in_doubt:
            # The day's quality figures change with the label or the doubt: rebuilt once this commits.
            quality_rollups_mark_and_refresh([decision_day(locked.decided_at)])
        sample_verdict_reviewed(review=review, actor=actor or reviewer)
    return review


def resolutions_reapply(external_ids: Sequence[str]) -> int:
    """Give the samples of `external_ids` that have a resolution their final label again (after an import wrote the
    record's label over it); returns how many were corrected. One cheap query when no resolution exists at all."""
    if not SampleReview.objects.filter(kind__in=RESOLVING_KINDS).exists():
        return 0
    final: dict[int, str] = {}
    for start in range(0, len(external_ids), _IN_CHUNK):
        latest = (
            SampleReview.objects.filter(
                kind__in=RESOLVING_KINDS, sample__external_id__in=external_ids[start : start + _IN_CHUNK]
            )
            .order_by("sample_id", "id")
            .values_list("sample_id", "label_id")
        )
        final.update(latest)  # ordered by id: the latest resolution of each sample wins
    corrected = []
    for sample in ModerationSample.objects.filter(pk__in=list(final)).only("id", "decision_label", "audit_label"):
        label = final[sample.pk]
        if sample.audit_label_id != label:
            sample.audit_label_id = label
            sample.outcome = derive_outcome(sample.decision_label_id, label)
            corrected.append(sample)
    ModerationSample.objects.bulk_update(corrected, ["audit_label", "outcome"])
    return len(corrected)
