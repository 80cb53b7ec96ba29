"""Write serializers that reject what they do not know: a misspelt field is a 400, never silently ignored."""

from collections.abc import Mapping

from rest_framework import serializers


class StrictFieldsMixin:
    """Reject keys of the request body that are not writable fields of the serializer.

    `unknown_field_messages` gives a better message for a known mistake (e.g. patching `status`).
    """

    unknown_field_messages: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [self.unknown_field_messages.get(name, "Unknown field.")] for name in unknown}
                )
        return super().to_internal_value(data)


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """A plain input serializer that rejects unknown fields."""


class ExternalIdsSerializer(StrictSerializer):
    external_ids = serializers.ListField(
        child=serializers.CharField(max_length=128), min_length=1, max_length=5000, help_text="Samples' external ids."
    )
