from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "cases.disputes"
    label = "disputes"
    verbose_name = "Disputes, agreement and calibration"
