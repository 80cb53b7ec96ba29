"""Serializers of a case's measure and fixes in the API (`cases.measure`, `cases.fixes`): the read shapes of the
measure, a fix and its verdict's figures, and the strict input shapes of a fix and of a lead's measure.

The figures are those `cases.fixes.verdict.fix_verdict` stores on the fix, described field by field so that the
schema says what a client gets.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import permissions
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.measure.definition import MAX_TOPIC_TERMS, MeasureSource
from cases.measure.describe import masked_measure_dict
from config.api.schema import NON_BLANK_TEXT_PATTERN
from config.api.strict import StrictSerializer

# THE MEASURE
# ------------------------------------------------------------------------------

MAX_CONDITION_LENGTH = 200
MAX_CONDITION_VALUES = 100
_CONDITION_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_CONDITION_LENGTH}


@extend_schema_field(
    {
        "oneOf": [
            {**_CONDITION_TEXT, "pattern": NON_BLANK_TEXT_PATTERN},
            {
                "type": "array",
                "items": {**_CONDITION_TEXT, "pattern": NON_BLANK_TEXT_PATTERN},
                "minItems": 1,
                "maxItems": MAX_CONDITION_VALUES,
            },
        ],
        "description": "A value, or a list of values (any of them).",
    }
)
class ConditionField(serializers.Field):
    """One condition of a population: a text value or a non-empty list of them. Blank values are refused by
    `measure_from_dict`, which names the condition."""

    default_error_messages = {
        "invalid": "Expected a string or a list of strings.",
        "size": f"Between 1 and {MAX_CONDITION_VALUES} values.",
        "text": f"Values of at most {MAX_CONDITION_LENGTH} characters, without NUL characters.",
    }

    def to_internal_value(self, data):
        values = data if isinstance(data, list) else [data]
        if any(not isinstance(value, str) for value in values):
            self.fail("invalid")
        if not 1 <= len(values) <= MAX_CONDITION_VALUES:
            self.fail("size")
        if any(len(value) > MAX_CONDITION_LENGTH or "\x00" in value for value in values):
            self.fail("text")
        return data

    def to_representation(self, value):
        return value


class PopulationSerializer(StrictSerializer):
    """The conditions of a population (`cases.measure.definition.POPULATION_FIELDS`, each optional): the samples'
    field of the same name (`tag`: one of its tags)."""

    decision_label = ConditionField(required=False, help_text="Policy label code(s) of the decision.")
    market = ConditionField(required=False)
    language = ConditionField(required=False)
    decision_source = ConditionField(required=False)
    model_version = ConditionField(required=False)
    queue = ConditionField(required=False)
    content_type = ConditionField(required=False)
    surface = ConditionField(required=False)
    tag = ConditionField(required=False)
    auditor_id = ConditionField(
        required=False,
        help_text="The auditor(s) of an audit-driven measure (an auditor pattern's): its control is the same decisions "
        "audited by peers. Personal data: masked (`••••••`) unless the user is a quality lead or manager.",
    )


class MeasureSerializer(serializers.Serializer):
    population = PopulationSerializer(help_text="The audits the measure watches: every condition holds.")
    audit_label = serializers.CharField(help_text="The error counted: misclassified audits with this audit label; "
                                        "empty: every misclassified audit of the population.")  # fmt: skip
    topic_terms = serializers.ListField(
        child=serializers.CharField(), help_text="Errors whose notes name one of these words (a text topic)."
    )
    source = serializers.ChoiceField(
        choices=[MeasureSource.PATTERN, MeasureSource.CASE, MeasureSource.SAMPLES],
        help_text="Where it comes from: the case's pattern, a lead's edit, or what the case's samples share.",
    )


class MeasureInputSerializer(StrictSerializer):
    """A lead's measure; `{}` goes back to the derived one. It needs a condition or an audit label, and the policy
    labels it names must exist (400 naming the key otherwise, under `measure`)."""

    population = PopulationSerializer(required=False)
    audit_label = serializers.CharField(max_length=64, required=False, allow_blank=True)
    topic_terms = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=MAX_TOPIC_TERMS
    )


# FIXES AND THEIR VERDICT
# ------------------------------------------------------------------------------


class FixInputSerializer(StrictSerializer):
    """A fix: since when (default now) and, optionally, what changed."""

    effective_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the fix took effect: decisions from then on count as after. Default now; not in the future, "
        "at most a year ago.",
    )
    model_version = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="",
        help_text="The model version that ships the fix: after it, only decisions by this version or a later one of "
        "the same line count.",
    )  # fmt: skip
    guideline_version = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    process_change = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="A queue or workflow change."
    )
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class WindowFiguresSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="Decisions made from this time...")
    end = serializers.DateTimeField(help_text="...until this one (excluded).")
    audits = serializers.IntegerField()
    errors = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="errors / audits; null without audits.")
    interval = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True,
        help_text="The rate's 95% Wilson interval [low, high]; null without audits.",
    )  # fmt: skip


class ControlFiguresSerializer(serializers.Serializer):
    before = WindowFiguresSerializer()
    after = WindowFiguresSerializer()


class ZTestSerializer(serializers.Serializer):
    z = serializers.FloatField(help_text="Positive when the rate fell.")
    p_value = serializers.FloatField(help_text="One-sided: the chance of a fall this large if nothing changed.")
    method = serializers.ChoiceField(
        choices=[("z", "z"), ("fisher", "fisher")],
        default="z",
        help_text="Where the p-value comes from: the z-test, or Fisher's exact test when the counts are too small "
        "for it (figures stored before this field were all z-tests).",
    )


class FixFiguresSerializer(serializers.Serializer):
    fix_at = serializers.DateTimeField()
    computed_at = serializers.DateTimeField()
    window_days = serializers.FloatField(help_text="Length of each window: from the fix to the computation.")
    model_version = serializers.CharField(help_text="The fix's model version, when it names one.")
    measure = MeasureSerializer()
    before = WindowFiguresSerializer(help_text="The case's measure over the window before the fix.")
    after = WindowFiguresSerializer(help_text="The case's measure over the decisions made after the fix.")
    change = serializers.FloatField(allow_null=True, help_text="Rate after minus rate before.")
    control = ControlFiguresSerializer(
        allow_null=True, help_text="The same error kind in comparable traffic outside the slice; null when none."
    )
    test = ZTestSerializer(allow_null=True, help_text="Two-proportion z-test of the slice, before vs after.")
    difference_in_differences = ZTestSerializer(
        allow_null=True, help_text="The slice's fall against the control's (difference in differences)."
    )
    audits_needed = serializers.IntegerField(
        allow_null=True, help_text="Audits each window needs for the test's power; null when nothing erred before."
    )
    audits_more = serializers.IntegerField(allow_null=True, help_text="Audits still needed after the fix.")
    alpha = serializers.FloatField(help_text="The tests' significance level.")


class FixSerializer(serializers.ModelSerializer):
    recorded_by_username = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True, default=None
    )
    verdict = serializers.ChoiceField(
        choices=FixVerdict.choices, allow_blank=True, read_only=True, help_text="Empty until first computed."
    )
    figures = serializers.SerializerMethodField(help_text="The verdict's figures; null until first computed.")

    class Meta:
        model = Fix
        fields = [
            "id", "case", "effective_at", "model_version", "guideline_version", "process_change", "description",
            "recorded_by", "recorded_by_username", "recorded_at", "verdict", "verdict_at", "figures",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(FixFiguresSerializer(allow_null=True))
    def get_figures(self, fix: Fix) -> dict | None:
        if not fix.figures:
            return None
        mask = permissions.request_id_masker(self.context.get("request"))
        return FixFiguresSerializer({**fix.figures, "measure": masked_measure_dict(fix.figures["measure"], mask)}).data
