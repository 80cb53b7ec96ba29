"""Serializers of the initiatives API: what an initiative shows (its plan, its cases the client sees, its progress),
and the strict inputs that define or change one. Input serializers check types and bounds; the rules (who may, a
measure that names real labels, a baseline with audits, a target below it) are `cases.initiatives.services`'."""

from django.contrib.auth.models import User
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import permissions
from cases.initiatives.choices import InitiativeStatus
from cases.initiatives.models import Initiative
from cases.initiatives.services import AUDITOR_REFUSED
from cases.measure.definition import AUDITOR_KEY, DECISION_FIELDS, MAX_TOPIC_TERMS
from config.api.schema import NON_BLANK_TEXT_PATTERN
from config.api.strict import StrictSerializer

MAX_VALUE_LENGTH = 200
MAX_VALUES = 50
_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH, "pattern": NON_BLANK_TEXT_PATTERN}

# MEASURE
# ------------------------------------------------------------------------------


@extend_schema_field({"oneOf": [_TEXT, {"type": "array", "items": _TEXT, "minItems": 1, "maxItems": MAX_VALUES}]})
class ConditionValueField(serializers.Field):
    """A condition's value: a text, or a non-empty list of texts (any of them)."""

    default_error_messages = {
        "invalid": "A non-blank text (at most 200 characters), or a list of 1 to 50 of them.",
    }

    @staticmethod
    def _text_ok(value) -> bool:
        return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_VALUE_LENGTH and "\x00" not in value

    def to_internal_value(self, data):
        if self._text_ok(data):
            return data
        if isinstance(data, list) and 1 <= len(data) <= MAX_VALUES and all(map(self._text_ok, data)):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class InitiativePopulationSerializer(StrictSerializer):
    """The population's conditions on the decisions (`cases.measure.definition.DECISION_FIELDS`), each optional; an
    auditor (`auditor_id`) is refused (400): an initiative measures moderation quality."""

    unknown_field_messages = {AUDITOR_KEY: AUDITOR_REFUSED}

    def get_fields(self):
        fields = super().get_fields()
        for key in DECISION_FIELDS:
            fields[key] = ConditionValueField(required=False)
        return fields


class InitiativeMeasureInputSerializer(StrictSerializer):
    population = InitiativePopulationSerializer(
        required=False, help_text='Conditions on the audited decisions, e.g. `{"market": "ID"}`.'
    )
    audit_label = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="The audit label of the errors counted (a code)."
    )
    topic_terms = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=MAX_TOPIC_TERMS,
        help_text="An error counts only when its notes name one of these words.",
    )


class InitiativeMeasureSerializer(serializers.Serializer):
    population = serializers.DictField(help_text="Condition -> a value, or a list of values (any of them).")
    audit_label = serializers.CharField()
    topic_terms = serializers.ListField(child=serializers.CharField())


# READ
# ------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=InitiativeStatus.choices)
    audits = serializers.IntegerField(help_text="Audits of the measure's decisions in the recent days.")
    errors = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="errors / audits; null without audits.")
    interval = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, help_text="95% Wilson interval [low, high]."
    )
    planned_rate = serializers.FloatField(help_text="The plan's rate today (the line from baseline to target).")
    window_start = serializers.DateField()
    window_end = serializers.DateField()


class InitiativeSerializer(serializers.ModelSerializer):
    """Read it through `cases.initiatives.selectors` (owner selected, `visible_case_list` prefetched, `progress`
    attached)."""

    measure = InitiativeMeasureSerializer(read_only=True)
    owner_username = serializers.CharField(source="owner.username", read_only=True, allow_null=True, default=None)
    cases = serializers.SerializerMethodField(help_text="Ids of the cases serving it that you may see, ascending.")
    status = serializers.ChoiceField(source="progress.status", choices=InitiativeStatus.choices, read_only=True)
    progress = ProgressSerializer(read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "id", "name", "description", "measure", "baseline_rate", "baseline_start", "baseline_end",
            "baseline_audits", "baseline_errors", "target_rate", "target_date", "owner", "owner_username", "cases",
            "status", "progress", "created_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_cases(self, initiative: Initiative) -> list[int]:
        return [case.pk for case in initiative.visible_case_list]


# WRITE
# ------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class LeadField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return User.objects.filter(is_active=True)


@extend_schema_field(OpenApiTypes.INT)
class CaseIdField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return permissions.visible_cases(self.context["request"].user)


def _rate(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(min_value=0, max_value=1, **kwargs)


class InitiativeCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    measure = InitiativeMeasureInputSerializer(help_text="The same definition as a case's measure.")
    target_rate = _rate(help_text="The error rate to reach, a fraction (0.03 for 3%); below the baseline.")
    target_date = serializers.DateField(help_text="When; after the baseline's end, within three years of it.")
    owner = LeadField(required=False, help_text="A quality lead's user id; by default you.")
    baseline_rate = _rate(
        required=False, help_text="Given with baseline_start and baseline_end; else measured over that period."
    )
    baseline_start = serializers.DateField(required=False, help_text="First day of decisions of the baseline.")
    baseline_end = serializers.DateField(required=False, help_text="Last day (inclusive), not after today.")
    baseline_days = serializers.IntegerField(
        min_value=1,
        max_value=366,
        required=False,
        help_text="Without a baseline period: measure it over this many days before today (default 28).",
    )
    cases = CaseIdField(many=True, required=False, help_text="Ids of the cases that serve it.")


class InitiativeUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    measure = InitiativeMeasureInputSerializer(required=False, help_text="A new measure re-measures the baseline.")
    target_rate = _rate(required=False)
    target_date = serializers.DateField(required=False)
    owner = LeadField(required=False)
    baseline_rate = _rate(required=False)
    baseline_start = serializers.DateField(required=False)
    baseline_end = serializers.DateField(required=False)
    baseline_days = serializers.IntegerField(min_value=1, max_value=366, required=False)
    cases = CaseIdField(many=True, required=False, help_text="Replaces the cases that serve it.")
