"""The audit trail of sensitive text shown on purpose: one `SampleReveal` row per sample revealed, each time."""

from django.contrib.auth.models import User
from django.db import transaction

from rca.models import ModerationSample, SampleReveal


@transaction.atomic
def sample_reveal(*, user: User, sample: ModerationSample) -> SampleReveal:
    """Record that `user` revealed the blurred notes and transcript of `sample`. The caller has checked that the user
    may see the sample; every call writes a row (each reveal counts, repeats included)."""
    return SampleReveal.objects.create(user=user, sample=sample)


@transaction.atomic
def samples_reveal(*, user: User, samples: list[ModerationSample]) -> list[SampleReveal]:
    """Record that `user` revealed the blurred text of each of `samples` at once (a page of them): one row a sample,
    as `sample_reveal` writes, in one insert. The caller has checked that the user may see every one."""
    return SampleReveal.objects.bulk_create(SampleReveal(user=user, sample=sample) for sample in samples)
