"""A second audit of a moderation sample's decision (see the package docstring)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from rca.models import ModerationSample, PolicyLabel
from rca.verdicts.choices import RESOLVING_KINDS, ReviewKind


class SampleReview(models.Model):
    """One second audit. The `verdict_*` fields keep the verdict it reviewed, as the sample held it then: for an
    overturn they are the history (the original label and outcome, and whose verdict it was). Rows are written by
    `rca.verdicts.services` only and never changed: the sample's final label is its latest resolution's."""

    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=16, choices=ReviewKind.choices)
    external_id = models.CharField(
        max_length=128, null=True, blank=True, help_text="An imported review's own id (its `external_id`)."
    )
    label = models.ForeignKey(PolicyLabel, to_field="code", on_delete=models.PROTECT, related_name="+")
    reviewer_auditor_id = models.CharField(max_length=64, blank=True, default="")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    round = models.CharField(max_length=64, blank=True, default="", help_text="A calibration round's name.")
    notes = models.TextField(blank=True, default="")
    reviewed_at = models.DateTimeField()
    verdict_label = models.ForeignKey(
        PolicyLabel, to_field="code", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    verdict_outcome = models.CharField(max_length=16)
    verdict_auditor_id = models.CharField(max_length=64, blank=True, default="")
    overturned = models.BooleanField(default=False, help_text="A resolution whose label differs from the verdict's.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["sample", "kind"], name="review_sample_kind_idx"),
            models.Index(fields=["kind", "reviewed_at"], name="review_kind_reviewed_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="review_external_id_unique"),
            models.CheckConstraint(
                condition=Q(overturned=False) | Q(kind__in=RESOLVING_KINDS), name="review_only_resolutions_overturn"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.sample_id}: {self.label_id}"

    @property
    def is_resolution(self) -> bool:
        return self.kind in RESOLVING_KINDS
