"""Write serializers that reject what they do not know: a misspelt field is a 400, never silently ignored, and a value
of the wrong JSON type is a 400 too (DRF would take `0` for a string, `"5"` for a number, `{}` for a list of ids),
so a body is accepted exactly when it matches the schema's types (see `config.api.schema.AutoSchema`)."""

from collections.abc import Mapping

from rest_framework import serializers


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type_error(field: serializers.Field, value) -> str | None:
    """Why `value` (parsed JSON) is not of the JSON type `field` declares in the schema, or None if it is.
    `null` is left to the field (`allow_null`)."""
    if value is None:
        return None
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return next(filter(None, (_json_type_error(field.child, item) for item in value)), None)
    if isinstance(field, serializers.ManyRelatedField):
        ok, expected = isinstance(value, list) and all(map(_is_integer, value)), "a list of ids (integers)"
    elif isinstance(field, serializers.ListField):
        ok, expected = False, "a list"
    elif isinstance(field, serializers.BooleanField):
        ok, expected = isinstance(value, bool), "true or false"
    elif isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        ok, expected = _is_integer(value), "an integer"
    elif isinstance(field, serializers.FloatField):
        ok, expected = _is_integer(value) or isinstance(value, float), "a number"
    elif isinstance(field, serializers.CharField | serializers.ChoiceField | serializers.DateTimeField):
        ok, expected = isinstance(value, str), "a string"
    else:
        return None
    return None if ok else f"Expected {expected}."


class StrictFieldsMixin:
    """Reject keys of the request body that are not writable fields of the serializer, and values whose JSON type is
    not the field's.

    `unknown_field_messages` gives a better message for a known mistake (e.g. patching `status`).
    """

    unknown_field_messages: dict[str, str] = {}

    def get_fields(self):
        """Strings are checked as sent (DRF would trim them first, so `" "` would be blank and 201 characters with a
        space at the end would pass `max_length=200`); a top-level string is trimmed once valid, as before."""
        fields = super().get_fields()
        for field in fields.values():
            target = field.child if isinstance(field, serializers.ListField) else field
            if isinstance(target, serializers.CharField) and target.trim_whitespace:
                target.trim_whitespace = False
                target.strip_when_valid = field is target
        return fields

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name: field for name, field in self.fields.items() if not field.read_only}
            errors = {
                name: [self.unknown_field_messages.get(name, "Unknown field.")] for name in data if name not in writable
            }
            for name, field in writable.items():
                if name in data and (error := _json_type_error(field, data[name])):
                    errors[name] = [error]
            if errors:
                raise serializers.ValidationError(dict(sorted(errors.items())))
        values = super().to_internal_value(data)
        for name, value in values.items():
            if isinstance(value, str) and getattr(self.fields.get(name), "strip_when_valid", False):
                values[name] = value.strip()
        return values


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """A plain input serializer that rejects unknown fields and values of the wrong JSON type."""


class ExternalIdsSerializer(StrictSerializer):
    external_ids = serializers.ListField(
        child=serializers.CharField(max_length=128), min_length=1, max_length=5000, help_text="Samples' external ids."
    )
