from django.apps import AppConfig


class VerdictsConfig(AppConfig):
    name = "rca.verdicts"
    label = "verdicts"
    verbose_name = "Verdict reviews"
