"""Serializers of the evidence API: samples (field names of docs/sample-format.md), error patterns, detection runs.

Moderator and auditor ids are personal data: they go through `cases.permissions.personal_id_masker`, which masks them
for everyone but quality leads and managers.
"""

from functools import cached_property

from django.conf import settings
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from cases.api.story_serializers import StorySerializer
from cases.permissions import personal_id_masker
from cases.story.selectors import pattern_story
from config.api.representation import FastRepresentationMixin
from config.api.strict import StrictSerializer
from rca.choices import ContentType, DecisionSource, Outcome
from rca.models import DetectionRun, ErrorPattern, ModerationSample
from rca.sample_fields import FIELDS

# The sample's fields as imported (`rca.sample_fields.FIELDS`), with the outcome (derived from the two labels) beside
# them and the times the sample was stored and last changed.
_LABELS_END = FIELDS.index("audit_label") + 1
SAMPLE_FIELDS = (*FIELDS[:_LABELS_END], "outcome", *FIELDS[_LABELS_END:], "imported_at", "updated_at")


class PersonalIdField(serializers.CharField):
    """A moderator's or auditor's id, masked (`cases.permissions.personal_id_masker`) for users who may not see it.
    The user's role is looked up once per response: a list's rows share one bound field."""

    @cached_property
    def _shown(self):
        return personal_id_masker(self.context["request"].user)

    def to_representation(self, value: str) -> str:
        return self._shown(value)


# Rows are built by `config.api.representation` (DRF's output, faster for a page of 200 samples).
class SampleSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    content_type = serializers.ChoiceField(choices=ContentType.choices)
    decision_source = serializers.ChoiceField(choices=DecisionSource.choices)
    decision_label = serializers.CharField(source="decision_label_id", help_text="Policy label code, or `none`.")
    audit_label = serializers.CharField(source="audit_label_id", help_text="Policy label code, or `none`.")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    moderator_id = PersonalIdField(help_text="Masked (`••••••`) unless the user is a quality lead or manager.")
    auditor_id = PersonalIdField(help_text="Masked (`••••••`) unless the user is a quality lead or manager.")
    tags = serializers.ListField(child=serializers.CharField(), source="tag_list")

    class Meta:
        model = ModerationSample
        fields = SAMPLE_FIELDS
        read_only_fields = SAMPLE_FIELDS


class BulkRejectionSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the record in the request (from 0).")
    external_id = serializers.CharField(allow_null=True, allow_blank=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Field -> messages."
    )


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    rejected = BulkRejectionSerializer(many=True)


class SampleRecordSerializer(serializers.Serializer):
    """One record of the bulk request, for the schema only: `rca.importing` validates records (and reports every
    rejected one by index), so this describes the format rather than enforcing it."""

    external_id = serializers.CharField(max_length=128)
    content_id = serializers.CharField(max_length=128)
    content_type = serializers.ChoiceField(choices=ContentType.choices)
    surface = serializers.CharField(max_length=32, required=False)
    market = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, upper case.")
    language = serializers.CharField(max_length=35, help_text="BCP 47 tag.")
    queue = serializers.CharField(max_length=64, required=False, allow_blank=True)
    decision_source = serializers.ChoiceField(choices=DecisionSource.choices)
    model_version = serializers.CharField(max_length=64, required=False, allow_blank=True)
    moderator_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    decision_label = serializers.CharField(max_length=64)
    audit_label = serializers.CharField(max_length=64)
    model_score = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1)
    decided_at = serializers.DateTimeField()
    audited_at = serializers.DateTimeField()
    auditor_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    transcript = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    weight = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=1e9,
        help_text="The audit's sampling weight: greater than 0, at most 1e9; 1 when absent (docs/sample-format.md).",
    )


class SecondAuditRecordSerializer(serializers.Serializer):
    """A second audit of a sample's decision in the bulk request, for the schema only (docs/sample-format.md, "Second
    audits"; checked by `rca.importing.reviews`): no other field of a sample may be given."""

    external_id = serializers.CharField(max_length=128, help_text="The second audit's own id.")
    review_of = serializers.CharField(max_length=128, help_text="The external_id of the sample it reviews.")
    review_kind = serializers.ChoiceField(choices=["second_review", "calibration"])
    review_round = serializers.CharField(max_length=64, required=False, help_text="Calibration answers only.")
    audit_label = serializers.CharField(max_length=64, help_text="The second auditor's label.")
    audited_at = serializers.DateTimeField()
    auditor_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


BULK_RECORD = PolymorphicProxySerializer(
    component_name="BulkRecord",
    serializers=[SampleRecordSerializer, SecondAuditRecordSerializer],
    resource_type_field_name=None,
    many=True,
)


class ErrorPatternSerializer(serializers.ModelSerializer):
    definition = serializers.DictField(help_text="The slice: feature -> value (outcome, labels, market, ...).")
    top_terms = serializers.ListField(child=serializers.CharField(), help_text="Characteristic terms of the notes.")
    daily_counts = serializers.DictField(child=serializers.IntegerField(), help_text="ISO date -> misclassified.")
    case = serializers.IntegerField(source="case_pk", allow_null=True, read_only=True, help_text="The case it feeds.")

    class Meta:
        model = ErrorPattern
        fields = [
            "id", "fingerprint", "name", "status", "definition", "top_terms", "policy_area", "policy_label", "market",
            "support", "error_count", "error_rate", "baseline_rate", "lift", "first_seen", "last_seen", "days_seen",
            "daily_counts", "case", "last_run", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ErrorPatternDetailSerializer(ErrorPatternSerializer):
    """One pattern, with its story (not the list: its figures are read or computed for each pattern)."""

    story = serializers.SerializerMethodField(
        help_text="The pattern's story, as its page shows it: the figures of its slice, the trend's daily series and "
        "its case's markers, why it is a pattern and not noise, what else is unusual (its case's stored story when "
        "the case measures the pattern itself)."
    )

    class Meta(ErrorPatternSerializer.Meta):
        fields = [*ErrorPatternSerializer.Meta.fields, "story"]
        read_only_fields = fields

    @extend_schema_field(StorySerializer)
    def get_story(self, pattern: ErrorPattern) -> dict:
        request = self.context.get("request")
        return pattern_story(pattern, user=request.user if request is not None else None).as_dict()


class DetectionRunSerializer(serializers.ModelSerializer):
    parameters = serializers.DictField()
    timings = serializers.DictField()

    class Meta:
        model = DetectionRun
        fields = [
            "id", "status", "requested_by", "window_start", "window_end", "parameters", "samples_read", "errors_read",
            "patterns_found", "patterns_new", "cases_opened", "cases_updated", "cases_reopened", "timings", "error",
            "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class DetectionRunRequestSerializer(StrictSerializer):
    window_days = serializers.IntegerField(
        min_value=1, max_value=365, required=False, help_text=f"Defaults to {settings.DETECTION_WINDOW_DAYS}."
    )
