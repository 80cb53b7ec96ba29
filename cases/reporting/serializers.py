"""Shapes of the report rows, for the OpenAPI schema (the views return the selectors' plain dicts).

Rates are fractions in [0, 1] here and in the CSV (0.125, not "12.5%"), for spreadsheets and scripts; only the pages
write them as percentages (`cases.templatetags.rca_numbers`)."""

from rest_framework import serializers

from cases.fixes.choices import FixVerdict
from cases.reporting.choices import RemediationBasis


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
    closed_on_evidence = serializers.IntegerField(help_text="Closed, not by override, with a fix record.")
    closed_by_override = serializers.IntegerField(help_text="Closed without a holding fix verdict, with a reason.")
    fixes_holding = serializers.IntegerField(help_text="Closed and monitoring cases whose latest fix holds.")
    fixes_not_holding = serializers.IntegerField(help_text="Closed and monitoring cases whose latest fix did not hold.")
    fixes_not_enough_audits = serializers.IntegerField(
        help_text="Closed and monitoring cases whose latest fix needs more audits."
    )


_RATE = "A fraction in [0, 1] (the pages show it as a percentage); null without audits."
_LOW, _HIGH = "95% Wilson interval of the rate, low end.", "95% Wilson interval of the rate, high end."


class MeasureErrorsSerializer(serializers.Serializer):
    audit_label = serializers.CharField(allow_blank=True, help_text="The errors' true label; blank: any error.")
    topic_terms = serializers.ListField(child=serializers.CharField(), help_text="Notes naming one of these words.")


class RemediationRowSerializer(serializers.Serializer):
    """One row of the remediation report (definitions in `cases/reporting/remediation.py`); the figures are null while
    a fix's verdict is not computed, or for a case without a measure."""

    case_id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    severity = serializers.CharField()
    owner = serializers.CharField(allow_blank=True)
    basis = serializers.ChoiceField(
        choices=RemediationBasis.choices, help_text="`fix`: the latest recorded fix; `closing`: no fix record."
    )
    fix_id = serializers.IntegerField(allow_null=True)
    effective_at = serializers.DateTimeField(help_text="When the fix took effect (`closing`: when the case closed).")
    what_changed = serializers.DictField(
        child=serializers.CharField(),
        help_text="The fix's non-empty `model_version`, `guideline_version`, `process_change` and `description`.",
    )
    measure_population = serializers.DictField(
        child=serializers.JSONField(), allow_null=True, help_text="The measured traffic: condition -> value (or list)."
    )
    measure_errors = MeasureErrorsSerializer(allow_null=True, help_text="The errors counted in that traffic.")
    before_audits = serializers.IntegerField(allow_null=True, help_text="Audits of decisions made before the fix.")
    before_errors = serializers.IntegerField(allow_null=True, help_text="The measure's errors among them.")
    before_rate = serializers.FloatField(allow_null=True, help_text=_RATE)
    before_interval_low = serializers.FloatField(allow_null=True, help_text=_LOW)
    before_interval_high = serializers.FloatField(allow_null=True, help_text=_HIGH)
    after_audits = serializers.IntegerField(allow_null=True, help_text="Audits of decisions made after the fix.")
    after_errors = serializers.IntegerField(allow_null=True, help_text="The measure's errors among them.")
    after_rate = serializers.FloatField(allow_null=True, help_text=_RATE)
    after_interval_low = serializers.FloatField(allow_null=True, help_text=_LOW)
    after_interval_high = serializers.FloatField(allow_null=True, help_text=_HIGH)
    control_before_rate = serializers.FloatField(
        allow_null=True, help_text="The same error kind outside the slice, before; null without a control."
    )
    control_after_rate = serializers.FloatField(allow_null=True, help_text="The control after the fix.")
    change = serializers.FloatField(
        allow_null=True,
        help_text="after - before error rate, a difference of fractions (the pages show percentage points).",
    )
    z = serializers.FloatField(allow_null=True, help_text="Two-proportion z-test, before vs after (z > 0: fell).")
    p_value = serializers.FloatField(allow_null=True, help_text="One-sided.")
    did_z = serializers.FloatField(
        allow_null=True, help_text="Difference-in-differences against the control (z > 0: fell more than it)."
    )
    did_p_value = serializers.FloatField(allow_null=True, help_text="One-sided.")
    verdict = serializers.ChoiceField(choices=FixVerdict.choices, allow_null=True, help_text="Null: not computed yet.")
    audits_more = serializers.IntegerField(
        allow_null=True, help_text="Audits of decisions after the fix still needed for the test's power."
    )
    verdict_at = serializers.DateTimeField(allow_null=True)
    closed_by_override = serializers.BooleanField()
