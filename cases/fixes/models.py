"""A fix recorded on a case, with the latest verdict of the audits after it."""

from django.conf import settings
from django.db import models

from cases.fixes.choices import FixVerdict


class Fix(models.Model):
    """What changed to remove a case's pattern, and since when. A case may record several; the latest counts.

    The verdict fields are written by `cases.fixes.services.fix_verdict_refresh` only (empty until first computed)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="fixes")
    effective_at = models.DateTimeField(help_text="When the fix took effect: decisions from then on count as after.")
    model_version = models.CharField(
        max_length=64, blank=True, default="", help_text="Decisions by this model version or later count as after."
    )
    guideline_version = models.CharField(max_length=64, blank=True, default="")
    process_change = models.CharField(max_length=200, blank=True, default="", help_text="A queue or workflow change.")
    description = models.TextField(blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)
    verdict = models.CharField(max_length=24, choices=FixVerdict.choices, blank=True, default="")
    figures = models.JSONField(default=dict, blank=True, help_text="The verdict's figures (cases.fixes.verdict).")
    verdict_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_at", "-id"]
        indexes = [models.Index(fields=["case", "-effective_at"], name="fix_case_latest_idx")]
        verbose_name_plural = "fixes"

    def __str__(self) -> str:
        return f"Fix of case {self.case_id} effective {self.effective_at:%Y-%m-%d}"

    @property
    def what_changed(self) -> list[tuple[str, str]]:
        """The named changes, as (label, value) pairs."""
        named = (
            ("Model version", self.model_version),
            ("Guideline version", self.guideline_version),
            ("Queue or workflow", self.process_change),
        )
        return [(label, value) for label, value in named if value]
