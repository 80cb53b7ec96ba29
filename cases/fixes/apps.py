from django.apps import AppConfig


class FixesConfig(AppConfig):
    name = "cases.fixes"
    label = "fixes"
    verbose_name = "Verified fixes"
