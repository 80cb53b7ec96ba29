"""Disputes of a sample's verdict, who is which auditor, and the log of calibration-set exports."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.disputes.choices import DisputeStatus, ExportFormat
from rca.models import ModerationSample, PolicyLabel
from rca.verdicts.models import SampleReview


class Dispute(models.Model):
    """A verdict questioned with a reason; settled by a second review (`rca.verdicts`), upheld or overturned. At most
    one open dispute per sample; a settled one points at the review that settled it."""

    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="disputes")
    status = models.CharField(max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    reason = models.TextField()
    disputed_label = models.ForeignKey(
        PolicyLabel, to_field="code", on_delete=models.PROTECT, related_name="+", help_text="The verdict disputed."
    )
    proposed_label = models.ForeignKey(
        PolicyLabel, to_field="code", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    review = models.OneToOneField(
        SampleReview, null=True, blank=True, on_delete=models.RESTRICT, related_name="dispute"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["status", "raised_at"], name="dispute_status_raised_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["sample"], condition=Q(status=DisputeStatus.OPEN), name="dispute_one_open_per_sample"
            ),
            models.CheckConstraint(
                condition=Q(status=DisputeStatus.OPEN, review__isnull=True)
                | (~Q(status=DisputeStatus.OPEN) & Q(review__isnull=False)),
                name="dispute_settled_by_a_review",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute {self.pk} of {self.sample_id} ({self.status})"


class AuditorIdentity(models.Model):
    """Which auditor a user is: the `auditor_id` their audits carry. A user mapped here may second-review disputes of
    the samples they see, and never one of their own verdicts (set in the admin)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auditor_identity")
    auditor_id = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["auditor_id"]
        verbose_name_plural = "auditor identities"

    def __str__(self) -> str:
        return f"{self.user} is {self.auditor_id}"


class CalibrationExport(models.Model):
    """One calibration set exported: who, when, from which case (or filter), how many samples, and how many had their
    sensitive text included or redacted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    exported_at = models.DateTimeField(auto_now_add=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    filters = models.JSONField(default=dict, blank=True, help_text="The sample filter, when not a whole case.")
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    sample_count = models.PositiveIntegerField()
    sensitive_included = models.PositiveIntegerField(default=0)
    sensitive_redacted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-exported_at", "-id"]

    def __str__(self) -> str:
        return f"Calibration export {self.pk} ({self.sample_count} samples)"
