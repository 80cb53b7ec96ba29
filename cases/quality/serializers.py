"""Shapes of the quality endpoints' answers, for the OpenAPI schema (the views return the engine's plain dicts).

Rates are fractions in [0, 1] with their 95% Wilson interval (`<rate>_low`, `<rate>_high`); null when nothing was
audited for them."""

from rest_framework import serializers

from rca.quality.dimensions import Dimension
from rca.quality.metrics import COUNTS, RATES

_RATE_HELP = {
    "error_rate": "Audits whose decision the audit found wrong / audits (weighted: sums of weights).",
    "over_enforcement_rate": "Decisions that enforced a policy the audit found not violated / audits.",
    "under_enforcement_rate": "Decisions of no violation where the audit found one / audits.",
    "wrong_policy_rate": "Decisions that enforced another policy than the audit's / audits.",
    "precision": "Of the audited decisions that enforced the row's policy, the share the audit confirmed (grouped or "
    "filtered by policy only; holds for the audited sample).",
    "recall": "Of the audits that found the row's policy, the share whose decision had enforced it (grouped or "
    "filtered by policy only; holds for the audited sample).",
}


def _metrics_fields() -> dict:
    fields: dict = {
        "period_start": serializers.DateField(
            allow_null=True, help_text="First day of the period (a Monday for weeks); null without `period`."
        )
    }
    for dimension in Dimension:
        fields[dimension.value] = serializers.CharField(
            required=False, help_text=f"The group's {dimension.label.lower()} (present when grouped by it)."
        )
    for name in COUNTS:
        fields[name] = (
            serializers.FloatField() if name in ("weighted_audits", "effective_audits") else serializers.IntegerField()
        )
    fields["audits_in_doubt"] = serializers.IntegerField(
        help_text="The group's audits whose verdict is in doubt (an open dispute, an audit-driven pattern), counted "
        "whether or not `exclude_in_doubt` left them out of `audits` and the rates."
    )
    for name in RATES:
        fields[name] = serializers.FloatField(allow_null=True, help_text=_RATE_HELP[name])
        fields[f"{name}_low"] = serializers.FloatField(allow_null=True)
        fields[f"{name}_high"] = serializers.FloatField(allow_null=True)
    return fields


MetricsRowSerializer = type("MetricsRowSerializer", (serializers.Serializer,), _metrics_fields())


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Included.")


class SliceChangeSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The slice: a value of the dimension.")
    audits_a = serializers.IntegerField()
    audits_b = serializers.IntegerField()
    errors_a = serializers.IntegerField()
    errors_b = serializers.IntegerField()
    share_a = serializers.FloatField(help_text="The slice's share of period A's audits (weighted when weighted).")
    share_b = serializers.FloatField()
    rate_a = serializers.FloatField(allow_null=True, help_text="The slice's error rate; null when it had no audits.")
    rate_b = serializers.FloatField(allow_null=True)
    mix = serializers.FloatField(help_text="(share_b - share_a) * (rate_a + rate_b) / 2: traffic moving.")
    rate = serializers.FloatField(help_text="(rate_b - rate_a) * (share_a + share_b) / 2: the slice's rate moving.")
    total = serializers.FloatField(help_text="mix + rate: the slice's contribution to the change.")


class ChangeSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    weighted = serializers.BooleanField()
    period_a = PeriodSerializer()
    period_b = PeriodSerializer()
    audits_a = serializers.IntegerField()
    audits_b = serializers.IntegerField()
    rate_a = serializers.FloatField(allow_null=True, help_text="Error rate of period A; null without audits.")
    rate_b = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="rate_b - rate_a = mix + rate.")
    mix = serializers.FloatField(allow_null=True, help_text="The sum of the slices' mix parts.")
    rate = serializers.FloatField(allow_null=True, help_text="The sum of the slices' rate parts.")
    slices = SliceChangeSerializer(many=True, help_text="Largest contribution (absolute value) first.")
