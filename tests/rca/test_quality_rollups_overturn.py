"""A second review that overturns an audit's verdict keeps the quality rollups equal to a direct aggregate."""

import pytest

from rca.importing import import_records
from rca.models import ModerationSample, QualityRollupMark
from rca.verdicts.choices import ReviewKind
from rca.verdicts.services import review_record
from tests.rca.test_quality_rollups import direct_aggregate, mixed_records, stored_rollups

pytestmark = pytest.mark.django_db


def test_rollups_follow_an_overturned_verdict(django_capture_on_commit_callbacks):
    import_records(mixed_records())
    sample = ModerationSample.objects.get(external_id="qa-0")  # decided hate_speech, audited none
    before = stored_rollups()

    with django_capture_on_commit_callbacks(execute=True):
        review = review_record(
            sample=sample, kind=ReviewKind.SECOND_REVIEW, label="hate_speech", reviewer_auditor_id="aud-9"
        )

    assert review.overturned
    assert stored_rollups() == direct_aggregate() != before
    assert QualityRollupMark.objects.count() == 0
