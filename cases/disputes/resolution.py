"""What a resolved verdict does to the case work, called through `rca.case_port.sample_verdict_reviewed` for every
resolution (a dispute's review here, or an imported second review): a timeline entry on each case the sample is
linked to, and the sample's open dispute settled by that review (upheld or overturned)."""

from django.contrib.auth.models import User
from django.utils import timezone

from cases import events
from cases.disputes.choices import DisputeStatus
from cases.disputes.models import Dispute
from cases.models import Case
from rca.verdicts.models import SampleReview


def verdict_resolution_record(*, review: SampleReview, actor: User | None) -> int:
    """Settle the open dispute of the review's sample, if any, and write the resolution on the timeline of every case
    the sample is linked to; returns how many cases. Runs in the caller's transaction (`review_record`'s)."""
    status = DisputeStatus.OVERTURNED if review.overturned else DisputeStatus.UPHELD
    Dispute.objects.filter(sample_id=review.sample_id, status=DisputeStatus.OPEN).update(
        status=status, review=review, resolved_at=timezone.now()
    )
    cases = list(Case.objects.filter(sample_links__sample_id=review.sample_id).order_by("pk"))
    for case in cases:
        events.verdict_reviewed(
            case,
            actor,
            review_id=review.pk,
            external_id=review.sample.external_id,
            kind=review.kind,
            verdict_label=review.verdict_label_id,
            label=review.label_id,
            overturned=review.overturned,
        )
    return len(cases)
