"""The stored story of a case: its figures, computed from its measure (`cases.story.compute`), and when."""

from django.db import models


class CaseStory(models.Model):
    """One row per case, rewritten whole by `cases.story.services.case_story_refresh`.

    `figures` scan many audits (the slice, its comparable traffic, the whole window), so the case room reads them from
    here. `source_key` names what they were computed from (the format, the case's measure or pattern); a stored story
    whose key no longer matches the case is computed again on its next view.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="story")
    figures = models.JSONField(default=dict)
    source_key = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "case stories"
        indexes = [models.Index(fields=["computed_at"], name="casestory_computed_idx")]

    def __str__(self) -> str:
        return f"Story of case {self.case_id}"
