"""The fields of a moderation sample record, in the order of spec/moderation-sample.md (no Django imports, so that
generators and scripts can use it without settings)."""

FIELDS = (
    "external_id",
    "content_id",
    "content_type",
    "surface",
    "market",
    "language",
    "queue",
    "decision_source",
    "model_version",
    "moderator_id",
    "decision_label",
    "audit_label",
    "model_score",
    "decided_at",
    "audited_at",
    "auditor_id",
    "notes",
    "transcript",
    "tags",
)
