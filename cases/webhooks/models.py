"""Webhook endpoints, chat routes, and the delivery outbox with its log of attempts.

A `Delivery` is written in the same transaction as the event it carries (the outbox): if the broker is down when the
transaction commits, the row is still there and the `send-pending-deliveries` beat task sends it later.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models

from cases.models import Team
from cases.webhooks.choices import DeliveryStatus, WebhookEvent


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL that receives signed JSON deliveries of the events it subscribed to."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, default=new_secret, help_text="Key of the HMAC-SHA256 signature.")
    events = models.JSONField(default=list, help_text=f"Event types, among: {', '.join(WebhookEvent.values)}.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_endpoints"
    )
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ChatRoute(models.Model):
    """A Slack- or Teams-compatible incoming-webhook URL that receives the notifications of one team's members, or of
    one user: exactly one of `team` and `user` is set."""

    team = models.OneToOneField(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_route")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_route"
    )
    url = models.URLField(max_length=500, help_text="The incoming-webhook URL given by Slack or Teams.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=False, user__isnull=True)
                | models.Q(team__isnull=True, user__isnull=False),
                name="chat_route_team_xor_user",
            )
        ]

    def __str__(self) -> str:
        return f"Chat route of {self.team or self.user}"


class Delivery(models.Model):
    """One event for one endpoint (or one notification for one chat route): the outbox row and its state."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    chat_route = models.ForeignKey(
        ChatRoute, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    key = models.CharField(max_length=200, unique=True, help_text="Idempotency key: one delivery per event and target.")
    event = models.CharField(max_length=40)
    event_id = models.UUIDField(default=uuid.uuid4)
    occurred_at = models.DateTimeField()
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A sender holds it until then.")
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(endpoint__isnull=False, chat_route__isnull=True)
                | models.Q(endpoint__isnull=True, chat_route__isnull=False),
                name="delivery_endpoint_xor_chat_route",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class DeliveryAttempt(models.Model):
    """One try of a delivery: what came back (status code or error) and how long it took. Only ever inserted."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"Attempt {self.number} of delivery {self.delivery_id}"
