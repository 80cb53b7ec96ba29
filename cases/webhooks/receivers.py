"""What the webhooks do when something else happens (connected in `WebhooksConfig.ready`)."""

from cases.webhooks import outbox


def notifications_created(sender, *, keys: list[str], **kwargs) -> None:
    """New notifications: their chat messages, and the webhook events of action-item reminders (in the same
    transaction as the notifications)."""
    outbox.notifications_recorded(keys=keys)
