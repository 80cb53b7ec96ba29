"""The events an endpoint may subscribe to, and the states of a delivery."""

from django.db import models


class WebhookEvent(models.TextChoices):
    CASE_OPENED = "case.opened", "Case opened"
    CASE_TRANSITIONED = "case.transitioned", "Case changed status"
    CASE_REOPENED = "case.reopened", "Case reopened"
    CASE_ASSIGNED = "case.assigned", "Case assigned"
    ACTION_ITEM_ASSIGNED = "action_item.assigned", "Action item assigned"
    ACTION_ITEM_DUE = "action_item.due", "Action item due soon"
    ACTION_ITEM_OVERDUE = "action_item.overdue", "Action item overdue"
    COMMENT_MENTION = "comment.mention", "Someone mentioned in a comment"
    FIX_VERDICT = "fix.verdict", "Fix verdict changed"


# What a chat route's deliveries carry (not an event an endpoint subscribes to).
CHAT_NOTIFICATION = "chat.notification"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (given up)"
