from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "cases.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks and chat routes"

    def ready(self) -> None:
        from cases.notifications.signals import notifications_created
        from cases.webhooks import receivers

        notifications_created.connect(receivers.notifications_created, dispatch_uid="webhooks.notifications_created")
