"""Choices of the reports: how the closure report groups its rows, and what a remediation row counts from (its
verdicts are the fix verdicts, `cases.fixes.choices.FixVerdict`)."""

from django.db import models


class GroupBy(models.TextChoices):
    OWNER = "owner", "Owner"
    TEAM = "team", "Team"
    SEVERITY = "severity", "Severity"
    POLICY = "policy", "Policy label"
    MONTH = "month", "Month opened"


class RemediationBasis(models.TextChoices):
    """What a remediation row counts from: a recorded fix, or the closing of a case that has none."""

    FIX = "fix", "Recorded fix"
    CLOSING = "closing", "Closed without a fix record"


class Period(models.TextChoices):
    """Shortcuts of the dashboard's period filter (opened in the last N days)."""

    DAYS_30 = "30", "Last 30 days"
    DAYS_90 = "90", "Last 90 days"
    DAYS_180 = "180", "Last 180 days"
    DAYS_365 = "365", "Last 12 months"
    ALL = "all", "All time"
