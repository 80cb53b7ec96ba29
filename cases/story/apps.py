from django.apps import AppConfig


class StoryConfig(AppConfig):
    name = "cases.story"
    label = "story"
    verbose_name = "Case stories"
