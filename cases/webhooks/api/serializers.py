"""Serializers of the webhook endpoints API: what an endpoint shows (never its secret, except once, on creation),
and the strict inputs that register or change one."""

from rest_framework import serializers

from cases.webhooks.choices import WebhookEvent
from cases.webhooks.models import WebhookEndpoint
from config.api.strict import StrictSerializer

EVENTS_HELP = "Event types to receive, at least one. (`fix verdict changed` is not an event of this version.)"


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), help_text=EVENTS_HELP)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "name", "url", "events", "owner", "is_active", "consecutive_failures", "disabled_at",
            "disabled_reason", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    """The answer to a registration: the only time the signing secret is shown."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


def _events_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        min_length=1,
        max_length=len(WebhookEvent.values),
        help_text=EVENTS_HELP,
        **kwargs,
    )


class WebhookEndpointCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500, help_text="http(s); private and loopback addresses are refused.")
    events = _events_field()
    secret = serializers.CharField(
        min_length=16, max_length=128, required=False, help_text="Signing key; a random one when left out."
    )
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookEndpointUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=500, required=False)
    events = _events_field(required=False)
    secret = serializers.CharField(min_length=16, max_length=128, required=False)
    is_active = serializers.BooleanField(required=False, help_text="true enables it again and clears its failures.")
