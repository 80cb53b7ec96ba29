"""Second audits in the import (docs/sample-format.md, "Second audits"): a record that names the audited sample in
`review_of` is not a sample but a second audit of that sample's decision, by the record's `auditor_id`:

- `review_kind` `second_review`: a resolution. Its label becomes the sample's final label (an overturn corrects the
  sample's `audit_label` and `outcome`, and the original stays in the review's history); refused from the sample's own
  auditor, or from an earlier reviewer of it (`rca.verdicts.services.review_refusal`).
- `review_kind` `calibration`: an answer of a calibration round (`review_round`), scored against the final label.

Invariants, as for samples: a rejected record writes nothing, every valid one is written, and each record counts once
as created, updated or rejected. A review is never changed by a later import: the same record again counts as updated
and writes nothing, the same `external_id` with other values is rejected. Reviews are written after the samples read
before them, so one file may hold a sample and its second audit.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from rca.importing.validation import (
    KNOWN_FIELDS,
    MAX_LENGTH,
    UNKNOWN_FIELD,
    Errors,
    _choice,
    _datetime,
    _label,
    _shown,
    _text,
)
from rca.models import ModerationSample
from rca.verdicts.choices import IMPORTED_KINDS, RESOLVING_KINDS, ReviewKind
from rca.verdicts.models import SampleReview
from rca.verdicts.services import review_record, review_refusal

REVIEW_COLUMNS = frozenset({"review_of", "review_kind", "review_round"})
# What a second audit carries: its own id, the sample it reviews, its kind and round, and the audit's own fields.
REVIEW_FIELDS = REVIEW_COLUMNS | {"external_id", "audit_label", "audited_at", "auditor_id", "notes"}
ROUND_MAX = 64
_KINDS = frozenset(str(kind) for kind in IMPORTED_KINDS)
_IN_CHUNK = 900

NOT_IN_A_REVIEW = "Not part of a second audit (a record with review_of): leave it empty."
ROUND_ONLY_FOR_CALIBRATION = "Only calibration answers belong to a round."
NO_SUCH_SAMPLE = 'No sample with external_id "{value}": import the audited sample first.'
REVIEW_RECORDED = "A review with this external_id is recorded already, with other values; reviews are never changed."


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def classify(raw: Any) -> tuple[bool, Any]:
    """`(is_review, record)`: a record with a non-empty review column is a second audit; a sample record loses its
    empty review columns (a CSV file that mixes both has them on every row), so the sample validator accepts it."""
    # The import's hot path: three dict look-ups for a sample record (a set operation would walk its 19 keys).
    if not isinstance(raw, dict) or ("review_of" not in raw and "review_kind" not in raw and "review_round" not in raw):
        return False, raw
    if any(_given(raw.get(name)) for name in REVIEW_COLUMNS):
        return True, raw
    return False, {key: value for key, value in raw.items() if key not in REVIEW_COLUMNS}


class ReviewValidator:
    """Checks one second audit (JSON-typed or CSV strings alike: every field is text); returns `(clean, {})` or
    `(None, errors)` and never raises. `latest`: the import's clock, as for samples."""

    def __init__(self, labels: frozenset[str], *, latest: datetime) -> None:
        self.labels = labels
        self.latest = latest

    def __call__(self, raw: dict[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
        errors: Errors = {}
        for key, value in raw.items():
            if key not in KNOWN_FIELDS and key not in REVIEW_COLUMNS:
                errors[str(key)] = [UNKNOWN_FIELD]
            elif key not in REVIEW_FIELDS and _given(value):
                errors[key] = [NOT_IN_A_REVIEW]
        get = raw.get
        clean = {
            "external_id": _text(get("external_id"), errors, "external_id", MAX_LENGTH["external_id"], required=True),
            "review_of": _text(get("review_of"), errors, "review_of", MAX_LENGTH["external_id"], required=True),
            "kind": _choice(get("review_kind"), errors, "review_kind", _KINDS),
            "round_name": _text(get("review_round"), errors, "review_round", ROUND_MAX),
            "label": _label(get("audit_label"), errors, "audit_label", self.labels),
            "reviewed_at": _datetime(get("audited_at"), errors, "audited_at", self.latest),
            "reviewer_auditor_id": _text(get("auditor_id"), errors, "auditor_id", MAX_LENGTH["auditor_id"]),
            "notes": _text(get("notes"), errors, "notes", MAX_LENGTH["notes"], strip=False),
        }
        if clean["round_name"] and clean["kind"] == ReviewKind.SECOND_REVIEW:
            errors["review_round"] = [ROUND_ONLY_FOR_CALIBRATION]
        return (None, errors) if errors else (clean, {})


def _same(review: SampleReview, sample: ModerationSample, clean: dict[str, Any]) -> bool:
    stored = (review.sample_id, review.kind, review.label_id, review.reviewed_at, review.reviewer_auditor_id,
              review.notes, review.round)  # fmt: skip
    given = (sample.pk, clean["kind"], clean["label"], clean["reviewed_at"], clean["reviewer_auditor_id"],
             clean["notes"], clean["round_name"])  # fmt: skip
    return stored == given


def write_reviews(
    records: Sequence[tuple[int, dict[str, Any]]], *, actor: User | None = None
) -> tuple[int, int, list[tuple[int, str, Errors]]]:
    """Record valid second audits `(position, clean)` in order, each in its own transaction; returns `(created,
    updated, rejected)`, each rejection `(position, external_id, errors)`. `actor`: who imports (the timeline's)."""
    sample_ids = list({clean["review_of"] for _, clean in records})
    review_ids = list({clean["external_id"] for _, clean in records})
    samples: dict[str, ModerationSample] = {}
    existing: dict[str, SampleReview] = {}
    for start in range(0, max(len(sample_ids), len(review_ids)), _IN_CHUNK):
        found = ModerationSample.objects.filter(external_id__in=sample_ids[start : start + _IN_CHUNK])
        samples.update((sample.external_id, sample) for sample in found)
        known = SampleReview.objects.filter(external_id__in=review_ids[start : start + _IN_CHUNK])
        existing.update((review.external_id, review) for review in known)
    created, updated, rejected = 0, 0, []
    for position, clean in records:
        external_id = clean["external_id"]
        sample = samples.get(clean["review_of"])
        if sample is None:
            rejected.append(
                (position, external_id, {"review_of": [NO_SUCH_SAMPLE.format(value=_shown(clean["review_of"]))]})
            )
            continue
        prior = existing.get(external_id)
        if prior is not None:
            if _same(prior, sample, clean):
                updated += 1
            else:
                rejected.append((position, external_id, {"external_id": [REVIEW_RECORDED]}))
            continue
        if clean["kind"] in RESOLVING_KINDS:
            refusal = review_refusal(sample=sample, auditor_id=clean["reviewer_auditor_id"])
            if refusal is not None:
                rejected.append((position, external_id, {"auditor_id": [refusal]}))
                continue
        fields = {key: value for key, value in clean.items() if key != "review_of"}
        with transaction.atomic():
            existing[external_id] = review_record(sample=sample, actor=actor, **fields)
        created += 1
    return created, updated, rejected
