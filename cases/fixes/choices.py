from django.db import models


class FixVerdict(models.TextChoices):
    HOLDING = "holding", "Holding"
    NOT_HOLDING = "not_holding", "Not holding"
    NOT_ENOUGH_AUDITS = "not_enough_audits", "Not enough audits"
