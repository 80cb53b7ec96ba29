from django.db import models


class InitiativeStatus(models.TextChoices):
    """Where an initiative stands today (the rule: `cases.initiatives.progress.initiative_status`)."""

    MET = "met", "Met"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No recent audits"
