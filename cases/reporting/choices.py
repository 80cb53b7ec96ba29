"""Choices of the reports: how the closure report groups its rows and what a remediation did to the error rate."""

from django.db import models


class GroupBy(models.TextChoices):
    OWNER = "owner", "Owner"
    TEAM = "team", "Team"
    SEVERITY = "severity", "Severity"
    POLICY = "policy", "Policy label"
    MONTH = "month", "Month opened"


class RemediationVerdict(models.TextChoices):
    LOWERED = "lowered", "Lowered the error rate"
    NO_CHANGE = "no_change", "No significant change"
    RAISED = "raised", "Raised the error rate"
    INSUFFICIENT_DATA = "insufficient_data", "Not enough audits"


NOT_LOWERED = (RemediationVerdict.NO_CHANGE, RemediationVerdict.RAISED)


class Period(models.TextChoices):
    """Shortcuts of the dashboard's period filter (opened in the last N days)."""

    DAYS_30 = "30", "Last 30 days"
    DAYS_90 = "90", "Last 90 days"
    DAYS_180 = "180", "Last 180 days"
    DAYS_365 = "365", "Last 12 months"
    ALL = "all", "All time"
