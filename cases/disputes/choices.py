"""Choice values of disputes and calibration exports."""

from django.db import models


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld"
    OVERTURNED = "overturned", "Overturned"


class ExportFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"
    JSONL = "jsonl", "JSON Lines"


class AgreementGroup(models.TextChoices):
    AUDITOR = "auditor", "Auditor"
    POLICY = "policy", "Policy"
    MARKET = "market", "Market"
