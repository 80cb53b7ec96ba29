"""A calibration set: samples with their final labels, notes and the case's root cause, in the sample format
(docs/audit-quality.md, "Calibration sets").

Each row holds every field of docs/sample-format.md (`audit_label` is the final label: corrected when a second review
overturned the first audit), then `first_audit_label` (the label before any overturn), `review_notes` (the latest
resolution's notes), the case's `case`, `root_cause_category` and `root_cause`, and `redacted`. Notes and transcripts of
sensitive samples (either label `is_sensitive`) are included only for the roles that may see them
(`rules.export_includes_sensitive_text`), else emptied and the row marked `redacted`; moderator and auditor ids are
masked as everywhere (`cases.permissions.personal_id_masker`).
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import QuerySet

from cases import permissions
from cases.disputes import rules
from cases.models import Case
from rca.models import ModerationSample
from rca.sample_fields import FIELDS
from rca.verdicts.choices import RESOLVING_KINDS
from rca.verdicts.models import SampleReview

MAX_SAMPLES = 5000
CALIBRATION_FIELDS = ("first_audit_label", "review_notes", "case", "root_cause_category", "root_cause", "redacted")
COLUMNS = (*FIELDS, *CALIBRATION_FIELDS)


class TooManySamples(Exception):
    pass


@dataclass
class CalibrationSet:
    rows: list[dict]
    revealed_sample_ids: list[int] = field(default_factory=list)  # sensitive, text included
    redacted: int = 0


def _resolutions(sample_ids: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """For each sample with a resolution: its first audit's label (the earliest resolution's verdict), and the latest
    resolution's notes."""
    first: dict[int, str] = {}
    notes: dict[int, str] = {}
    reviews = (
        SampleReview.objects.filter(kind__in=RESOLVING_KINDS, sample_id__in=sample_ids)
        .order_by("sample_id", "id")
        .values_list("sample_id", "verdict_label_id", "notes")
    )
    for sample_id, verdict_label, review_notes in reviews:
        first.setdefault(sample_id, verdict_label)
        notes[sample_id] = review_notes
    return first, notes


def calibration_set(*, user: User, samples: QuerySet[ModerationSample], case: Case | None) -> CalibrationSet:
    """The rows of the set for `user`, from `samples` (already limited to what the user sees), oldest audit first.
    Raises `TooManySamples` past `MAX_SAMPLES`."""
    chosen = list(
        samples.select_related("decision_label", "audit_label").order_by("audited_at", "id")[: MAX_SAMPLES + 1]
    )
    if len(chosen) > MAX_SAMPLES:
        raise TooManySamples(f"A calibration set holds at most {MAX_SAMPLES} samples: narrow the filter.")
    first, review_notes = _resolutions([sample.pk for sample in chosen])
    shown = permissions.personal_id_masker(user)
    sensitive_allowed = rules.export_includes_sensitive_text(user)
    result = CalibrationSet(rows=[])
    for sample in chosen:
        sensitive = sample.decision_label.is_sensitive or sample.audit_label.is_sensitive
        redacted = sensitive and not sensitive_allowed
        if sensitive and not redacted:
            result.revealed_sample_ids.append(sample.pk)
        result.redacted += redacted
        result.rows.append(
            {
                "external_id": sample.external_id,
                "content_id": sample.content_id,
                "content_type": sample.content_type,
                "surface": sample.surface,
                "market": sample.market,
                "language": sample.language,
                "queue": sample.queue,
                "decision_source": sample.decision_source,
                "model_version": sample.model_version,
                "moderator_id": shown(sample.moderator_id),
                "decision_label": sample.decision_label_id,
                "audit_label": sample.audit_label_id,
                "model_score": sample.model_score,
                "decided_at": sample.decided_at,
                "audited_at": sample.audited_at,
                "auditor_id": shown(sample.auditor_id),
                "notes": "" if redacted else sample.notes,
                "transcript": "" if redacted else sample.transcript,
                "tags": sample.tag_list,
                "weight": sample.weight,
                "first_audit_label": first.get(sample.pk, sample.audit_label_id),
                "review_notes": "" if redacted else review_notes.get(sample.pk, ""),
                "case": case.key if case else "",
                "root_cause_category": case.root_cause_category if case else "",
                "root_cause": case.root_cause_statement if case else "",
                "redacted": redacted,
            }
        )
    return result
