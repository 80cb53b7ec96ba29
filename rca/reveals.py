"""The audit trail of sensitive text shown on purpose: one `SampleReveal` row per reveal."""

from django.contrib.auth.models import User
from django.db import transaction

from rca.models import ModerationSample, SampleReveal


@transaction.atomic
def sample_reveal(*, user: User, sample: ModerationSample) -> SampleReveal:
    """Record that `user` revealed the blurred notes and transcript of `sample`. The caller has checked that the user
    may see the sample; every call writes a row (each reveal counts, repeats included)."""
    return SampleReveal.objects.create(user=user, sample=sample)


def samples_reveal(*, user: User, sample_ids: list[int]) -> int:
    """Record that `user` saw the sensitive text of several samples at once (a calibration-set export, a page of a
    case room's samples): one row a sample, in one insert; returns how many reveals were written. The caller has
    checked that the user may see them."""
    SampleReveal.objects.bulk_create([SampleReveal(user=user, sample_id=sample_id) for sample_id in sample_ids])
    return len(sample_ids)
