"""Serializers of the audit-quality API: disputes (with the review that settled them), their strict inputs, and the
agreement table. Auditor ids are personal data, masked for all but quality leads and managers."""

from rest_framework import serializers

from cases.disputes.choices import AgreementGroup
from cases.disputes.models import Dispute
from cases.disputes.services import NOTES_MAX, REASON_MAX
from cases.evidence.api.serializers import PersonalIdField
from config.api.strict import StrictSerializer
from rca.verdicts.models import SampleReview


class ReviewSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="label_id", help_text="The second reviewer's label.")
    verdict_label = serializers.CharField(source="verdict_label_id", help_text="The verdict it reviewed.")
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewer_auditor_id = PersonalIdField(help_text="Masked (`••••••`) unless the user is a quality lead or manager.")

    class Meta:
        model = SampleReview
        fields = ["id", "kind", "label", "verdict_label", "overturned", "reviewer", "reviewer_auditor_id", "notes",
                  "reviewed_at"]  # fmt: skip
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer):
    sample = serializers.CharField(source="sample.external_id", help_text="The sample's external id.")
    disputed_label = serializers.CharField(source="disputed_label_id", help_text="The verdict disputed.")
    proposed_label = serializers.CharField(source="proposed_label_id", allow_null=True)
    raised_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    review = ReviewSerializer(allow_null=True, read_only=True, help_text="The second review that settled it.")

    class Meta:
        model = Dispute
        fields = ["id", "sample", "status", "reason", "disputed_label", "proposed_label", "raised_by", "raised_at",
                  "resolved_at", "review"]  # fmt: skip
        read_only_fields = fields


class DisputeCreateSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Why the verdict is in doubt.")
    proposed_label = serializers.CharField(
        max_length=64, required=False, help_text="The label the disputer thinks is right: an active policy label code."
    )


class DisputeReviewSerializer(StrictSerializer):
    label = serializers.CharField(max_length=64, help_text="The second reviewer's label: an active policy label code.")
    notes = serializers.CharField(max_length=NOTES_MAX, required=False, allow_blank=True)


class AgreementRowSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="The auditor id, policy code or market (`all` for the overall row).")
    reviewed = serializers.IntegerField(help_text="First audits that a resolution second-reviewed.")
    overturned = serializers.IntegerField()
    overturn_rate = serializers.FloatField(allow_null=True)
    calibration_answers = serializers.IntegerField()
    compared = serializers.IntegerField(help_text="Verdicts compared with the final label (reviewed + calibration).")
    agreed = serializers.IntegerField()
    agreement_rate = serializers.FloatField(allow_null=True)
    kappa = serializers.FloatField(allow_null=True, help_text="Cohen's kappa against the final labels.")
    kappa_se = serializers.FloatField(allow_null=True)
    peer_kappa = serializers.FloatField(allow_null=True, help_text="Grouped by auditor: the other auditors' kappa.")
    z = serializers.FloatField(allow_null=True, help_text="Standard errors below the peers' kappa.")
    below_peers = serializers.BooleanField(help_text="Significantly below the peers (docs/audit-quality.md).")


# The agreement table as CSV: the overall row (`scope` "overall") then a row per group (`scope` "group").
AGREEMENT_COLUMNS = ("group_by", "scope", *AgreementRowSerializer().fields)


class AgreementSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=AgreementGroup.choices)
    alpha = serializers.FloatField(help_text="Family-wise error rate of the below-peers test (one-sided).")
    min_verdicts = serializers.IntegerField(help_text="An auditor is tested from this many compared verdicts.")
    critical_z = serializers.FloatField(allow_null=True, help_text="The z an auditor must exceed (Bonferroni).")
    overall = AgreementRowSerializer()
    rows = AgreementRowSerializer(many=True)


class CalibrationRowSerializer(serializers.Serializer):
    """One sample of a calibration set (schema only: rows are built by `cases.disputes.calibration`)."""

    external_id = serializers.CharField()
    content_id = serializers.CharField()
    content_type = serializers.CharField()
    surface = serializers.CharField()
    market = serializers.CharField()
    language = serializers.CharField()
    queue = serializers.CharField()
    decision_source = serializers.CharField()
    model_version = serializers.CharField()
    moderator_id = serializers.CharField(help_text="Masked (`••••••`) unless the user is a quality lead or manager.")
    decision_label = serializers.CharField()
    audit_label = serializers.CharField(help_text="The final label (corrected when a review overturned the audit).")
    model_score = serializers.FloatField(allow_null=True)
    decided_at = serializers.DateTimeField()
    audited_at = serializers.DateTimeField()
    auditor_id = serializers.CharField(help_text="Masked (`••••••`) unless the user is a quality lead or manager.")
    notes = serializers.CharField(help_text="Empty when `redacted`.")
    transcript = serializers.CharField(help_text="Empty when `redacted`.")
    tags = serializers.ListField(child=serializers.CharField())
    first_audit_label = serializers.CharField(help_text="The label before any overturn.")
    review_notes = serializers.CharField(help_text="The latest resolution's notes; empty when `redacted`.")
    case = serializers.CharField(help_text="The case's key (`RCA-42`), or empty for a sample filter.")
    root_cause_category = serializers.CharField()
    root_cause = serializers.CharField()
    redacted = serializers.BooleanField(help_text="Sensitive text withheld: this user's role may not export it.")


class CalibrationRoundSerializer(serializers.Serializer):
    """One line of a case's calibration panel (`rca.verdicts.selectors.RoundScore`): a round of calibration answers,
    or the baseline (the first audits of the case's samples that a resolution second-reviewed), scored against the
    final labels. Auditors are counted, never named."""

    name = serializers.CharField(help_text="The round's `review_round`, or its day when it has none.")
    started_at = serializers.DateTimeField(allow_null=True, help_text="Its first answer; null for the baseline.")
    answers = serializers.IntegerField(help_text="Answers (label pairs) scored.")
    auditors = serializers.IntegerField(help_text="Distinct auditors who answered.")
    samples = serializers.IntegerField(help_text="Distinct samples answered.")
    agreed = serializers.IntegerField(source="figures.agreed", help_text="Answers equal to the final label.")
    agreement = serializers.FloatField(
        source="figures.p_observed", allow_null=True, help_text="agreed / answers; null without answers."
    )
    kappa = serializers.FloatField(
        source="figures.kappa", allow_null=True, help_text="Cohen's kappa against the final labels; null if undefined."
    )
    kappa_se = serializers.FloatField(source="figures.se", allow_null=True)
    agreement_change = serializers.FloatField(
        allow_null=True, help_text="Against the round before; null for the first round and the baseline."
    )
    kappa_change = serializers.FloatField(allow_null=True)


class CaseCalibrationSerializer(serializers.Serializer):
    """A case's calibration panel (`cases.disputes.selectors.calibration_panel`)."""

    case = serializers.IntegerField(source="case.pk", help_text="The case's id.")
    case_key = serializers.CharField(source="case.key", help_text="e.g. `RCA-42`.")
    baseline = CalibrationRoundSerializer(
        allow_null=True, help_text="The first audits of the case's samples a resolution reviewed; null when none was."
    )
    rounds = CalibrationRoundSerializer(many=True, help_text="Rounds in the order of their first answer.")
    exports = serializers.IntegerField(help_text="How many times the case's calibration set was exported.")
    can_export = serializers.BooleanField(help_text="Whether this user may export the set (`/calibration-set/`).")
