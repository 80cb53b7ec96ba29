"""Sent when notifications are created, with `keys` (their idempotency keys), on the transaction that creates them:
what else must happen for a notification (a chat message, a webhook event) listens here (`cases.webhooks`), so that
the notifications depend on nothing above them."""

from django.dispatch import Signal

notifications_created = Signal()
