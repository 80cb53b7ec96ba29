"""The audit trail of sensitive text shown on purpose: one `SampleReveal` row per reveal."""

from django.contrib.auth.models import User
from django.db import transaction

from rca.models import ModerationSample, SampleReveal


@transaction.atomic
def sample_reveal(*, user: User, sample: ModerationSample) -> SampleReveal:
    """Record that `user` revealed the blurred notes and transcript of `sample`. The caller has checked that the user
    may see the sample; every call writes a row (each reveal counts, repeats included)."""
    return SampleReveal.objects.create(user=user, sample=sample)
