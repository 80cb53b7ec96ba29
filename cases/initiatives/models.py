"""A quality initiative: a goal for one measure, from a baseline rate to a target rate by a date."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Initiative(models.Model):
    """A lead's goal: bring the measure's error rate from its baseline to the target by the target date.

    Every write goes through `cases.initiatives.services`, which keeps the invariants below (the constraints hold
    them in the database too). `measure` is `cases.measure.definition.Measure.as_dict()`; the baseline is its rate
    over [baseline_start, baseline_end] (by day of decision), with the counts when it was computed (null when a lead
    gave the rate)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    measure = models.JSONField(help_text="A measure, as `cases.measure.definition.Measure.as_dict()`.")
    baseline_rate = models.FloatField()
    baseline_start = models.DateField()
    baseline_end = models.DateField()
    baseline_audits = models.PositiveIntegerField(null=True, blank=True)
    baseline_errors = models.PositiveIntegerField(null=True, blank=True)
    target_rate = models.FloatField()
    target_date = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="owned_initiatives"
    )
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="initiatives")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_rate__gte=0, baseline_rate__lte=1, target_rate__gte=0, target_rate__lte=1),
                name="initiative_rates_are_fractions",
            ),
            models.CheckConstraint(condition=Q(target_rate__lt=F("baseline_rate")), name="initiative_target_below"),
            models.CheckConstraint(
                condition=Q(baseline_start__lte=F("baseline_end")), name="initiative_baseline_period_ordered"
            ),
            models.CheckConstraint(condition=Q(target_date__gt=F("baseline_end")), name="initiative_target_after"),
        ]

    def __str__(self) -> str:
        return self.name
