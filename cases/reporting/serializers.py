"""Shapes of the report rows, for the OpenAPI schema (the views return the selectors' plain dicts).

Rates are fractions in [0, 1] here and in the CSV (0.125, not "12.5%"), for spreadsheets and scripts; only the pages
write them as percentages (`cases.templatetags.rca_numbers`)."""

from rest_framework import serializers

from cases.reporting.choices import RemediationVerdict


class ClosureRowSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="What the row groups: owner, team, severity, policy label or YYYY-MM.")
    key = serializers.CharField(allow_null=True, help_text="The raw group value (user id, team id, code, month).")
    opened = serializers.IntegerField()
    closed = serializers.IntegerField()
    closure_rate = serializers.FloatField(
        allow_null=True, help_text="Closed / opened, a fraction in [0, 1] (the pages show it as a percentage)."
    )
    median_days_to_close = serializers.FloatField(allow_null=True)
    p90_days_to_close = serializers.FloatField(allow_null=True)
    sla_breach_rate = serializers.FloatField(
        allow_null=True, help_text="A fraction in [0, 1] (the pages show it as a percentage)."
    )
    reopen_rate = serializers.FloatField(
        allow_null=True, help_text="Cases reopened at least once / opened, a fraction in [0, 1]."
    )
    open_overdue = serializers.IntegerField()
    action_items_overdue = serializers.IntegerField()


class RemediationRowSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    severity = serializers.CharField()
    owner = serializers.CharField()
    remediated_at = serializers.DateTimeField()
    slice = serializers.DictField(child=serializers.JSONField(), help_text="The slice whose error rate is compared.")
    slice_source = serializers.CharField(help_text="Where the slice comes from: `pattern` or `samples`.")
    before_audits = serializers.IntegerField()
    before_errors = serializers.IntegerField()
    before_error_rate = serializers.FloatField(
        allow_null=True, help_text="A fraction in [0, 1] (the pages show it as a percentage)."
    )
    after_audits = serializers.IntegerField()
    after_errors = serializers.IntegerField()
    after_error_rate = serializers.FloatField(
        allow_null=True, help_text="A fraction in [0, 1] (the pages show it as a percentage)."
    )
    change = serializers.FloatField(
        allow_null=True,
        help_text="after - before error rate, a difference of fractions (the pages show percentage points).",
    )
    z = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True, help_text="Two-sided, two-proportion z-test.")
    verdict = serializers.ChoiceField(choices=RemediationVerdict.choices)
