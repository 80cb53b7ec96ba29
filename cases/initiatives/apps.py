from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "cases.initiatives"
    label = "initiatives"
    verbose_name = "Quality initiatives"
