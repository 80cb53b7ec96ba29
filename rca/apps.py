from django.apps import AppConfig


class RcaConfig(AppConfig):
    name = "rca"
    verbose_name = "Evidence and analysis"
