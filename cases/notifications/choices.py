"""Kinds of notification. Event kinds are emailed one by one; reminder kinds go into the daily digest email."""

from django.db import models


class NotificationKind(models.TextChoices):
    CASE_ASSIGNED = "case_assigned", "Case assigned to you"
    ACTION_ITEM_ASSIGNED = "action_item_assigned", "Action item assigned to you"
    MENTIONED = "mentioned", "Mentioned in a comment"
    CASE_STATE_CHANGED = "case_state_changed", "Watched case changed state"
    ACTION_ITEM_DUE_SOON = "action_item_due_soon", "Action item due soon"
    ACTION_ITEM_OVERDUE = "action_item_overdue", "Action item overdue"
    CASE_OVERDUE = "case_overdue", "Case past its SLA"
    WEBHOOK_DISABLED = "webhook_disabled", "Your webhook endpoint was disabled"
    PATTERN_GREW = "pattern_grew", "A set-aside case's pattern doubled"
    FIX_VERDICT = "fix_verdict", "Fix verdict on a case you follow"
    FIX_RECORDED = "fix_recorded", "Fix recorded on a case you follow"


REMINDER_KINDS = (
    NotificationKind.ACTION_ITEM_DUE_SOON,
    NotificationKind.ACTION_ITEM_OVERDUE,
    NotificationKind.CASE_OVERDUE,
)
