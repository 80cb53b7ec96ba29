"""The evidence (policy labels, audited moderation samples) and the analysis (error patterns, detection runs)."""

from django.db import models
from django.db.models import F, Q

from rca.choices import (
    ContentType,
    DecisionSource,
    DetectionRunStatus,
    FileFormat,
    ImportChunkStatus,
    ImportJobStatus,
    Outcome,
    PatternStatus,
)


class PolicyLabel(models.Model):
    """A policy a decision can cite. `none` (no violation) is a label too, so samples always point at one."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=128)
    area = models.CharField(max_length=64, help_text="Policy area the label belongs to (routing, partitions).")
    severity_weight = models.PositiveSmallIntegerField(default=1)
    is_sensitive = models.BooleanField(default=False, help_text="Notes and transcripts are blurred until revealed.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ModerationSample(models.Model):
    """One moderation decision reviewed by a QA audit (docs/sample-format.md), correct ones included.

    Its fields are described by `rca.sample_fields`, from which the import, the API and the benchmarks take the list;
    tests/rca/test_sample_fields.py fails when the model and that table disagree.
    """

    external_id = models.CharField(max_length=128)  # unique: see Meta (a constraint, without a second LIKE index)
    content_id = models.CharField(max_length=128)
    content_type = models.CharField(max_length=16, choices=ContentType.choices)
    surface = models.CharField(max_length=32, default="live")
    market = models.CharField(max_length=2)
    language = models.CharField(max_length=35)
    queue = models.CharField(max_length=64, blank=True, default="")
    decision_source = models.CharField(max_length=8, choices=DecisionSource.choices)
    model_version = models.CharField(max_length=64, blank=True, default="")
    moderator_id = models.CharField(max_length=64, blank=True, default="")
    decision_label = models.ForeignKey(
        PolicyLabel, to_field="code", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    audit_label = models.ForeignKey(
        PolicyLabel, to_field="code", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    model_score = models.FloatField(null=True, blank=True)
    decided_at = models.DateTimeField()
    audited_at = models.DateTimeField()
    auditor_id = models.CharField(max_length=64, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    transcript = models.TextField(blank=True, default="")
    # Tags are stored as ";a;b;" so that one tag is a plain `LIKE '%;a;%'` on every database (SQLite included).
    tags = models.TextField(blank=True, default="")
    # The audit's sampling weight (stratified QA samples): the quality metrics weigh each audit by it (rca/quality/).
    # The database default keeps writers that predate the field (raw COPY, the benchmarks' loaders) working.
    weight = models.FloatField(default=1.0, db_default=1.0)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the audit's verdict itself is questioned (an open dispute, an audit-driven pattern); never imported.
    verdict_in_doubt = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-audited_at", "-id"]
        indexes = [
            models.Index(fields=["audited_at"], name="sample_audited_idx"),
            models.Index(fields=["outcome", "audited_at"], name="sample_outcome_audited_idx"),
            models.Index(fields=["market", "audited_at"], name="sample_market_audited_idx"),
            models.Index(fields=["audit_label", "audited_at"], name="sample_auditlabel_audited_idx"),
            models.Index(fields=["decision_label", "audited_at"], name="sample_declabel_audited_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="sample_external_id_unique"),
            models.CheckConstraint(condition=Q(audited_at__gte=F("decided_at")), name="sample_audited_after_decided"),
            models.CheckConstraint(
                condition=Q(model_score__isnull=True) | Q(model_score__gte=0, model_score__lte=1),
                name="sample_model_score_unit_interval",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="sample_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(";") if tag]

    @property
    def is_error(self) -> bool:
        return self.outcome != Outcome.CORRECT


def encode_tags(tags: list[str]) -> str:
    return f";{';'.join(tags)};" if tags else ""


class DetectionRun(models.Model):
    """One execution of the detection pipeline: its window, parameters, counts, timings and outcome."""

    status = models.CharField(max_length=16, choices=DetectionRunStatus.choices, default=DetectionRunStatus.QUEUED)
    requested_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    samples_read = models.PositiveIntegerField(default=0)
    errors_read = models.PositiveIntegerField(default=0)
    patterns_found = models.PositiveIntegerField(default=0)
    patterns_new = models.PositiveIntegerField(default=0)
    cases_opened = models.PositiveIntegerField(default=0)
    cases_updated = models.PositiveIntegerField(default=0)
    cases_reopened = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Detection run {self.pk} ({self.status})"


class ErrorPattern(models.Model):
    """A recurring error: a slice of traffic (plus, optionally, a text topic) with an error rate well above baseline.

    `fingerprint` is the canonical identity; `PatternFingerprint` rows alias further fingerprints to the same pattern.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=PatternStatus.choices, default=PatternStatus.ACTIVE)
    definition = models.JSONField(default=dict, help_text="The slice: feature -> value.")
    top_terms = models.JSONField(default=list, blank=True)
    policy_area = models.CharField(max_length=64, blank=True, default="")
    policy_label = models.CharField(max_length=64, blank=True, default="", help_text="Main label of the slice.")
    market = models.CharField(max_length=2, blank=True, default="")
    support = models.PositiveIntegerField(default=0, help_text="Samples in the slice in the latest window.")
    error_count = models.PositiveIntegerField(default=0)
    error_rate = models.FloatField(default=0)
    baseline_rate = models.FloatField(default=0)
    lift = models.FloatField(default=0)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    days_seen = models.PositiveIntegerField(default=0)
    daily_counts = models.JSONField(default=dict, blank=True, help_text="ISO date -> misclassified samples.")
    samples = models.ManyToManyField(ModerationSample, through="PatternSample", related_name="patterns")
    last_run = models.ForeignKey(DetectionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [models.Index(fields=["status", "policy_label"], name="pattern_status_label_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_audit_driven(self) -> bool:
        """Found by the auditor pass (`rca.detection.auditors`): the audits are in doubt, not the decisions."""
        return "auditor_id" in (self.definition or {})


class PatternFingerprint(models.Model):
    """An alias: one more fingerprint owned by a pattern (as a Sentry issue owns several hashes)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    pattern = models.ForeignKey(ErrorPattern, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.fingerprint


class PatternSample(models.Model):
    pattern = models.ForeignKey(ErrorPattern, on_delete=models.CASCADE)
    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE)
    run = models.ForeignKey(DetectionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pattern", "sample"], name="pattern_sample_unique")]

    def __str__(self) -> str:
        return f"{self.sample_id} in pattern {self.pattern_id}"


class SampleReveal(models.Model):
    """An audit trail entry: a user chose to reveal the blurred text of a sensitive sample."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="reveals")
    revealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-revealed_at"]

    def __str__(self) -> str:
        return f"{self.user_id} revealed {self.sample_id}"


class TextTopic(models.Model):
    """A persistent note topic of one error kind: what a run's text cluster is matched to, by its terms.

    A run's cluster numbers mean nothing from one run to the next; a topic's id does. Each run matches its clusters to
    the known topics of the same error kind by the cosine of their term vectors and creates a topic for the rest, so
    that a pattern's fingerprint (which includes the topic id) stays the same when the pipeline runs again.
    """

    error_kind = models.CharField(max_length=140, help_text="decision_label>audit_label")
    terms = models.JSONField(default=dict, help_text="Characteristic term -> weight (unit norm).")
    top_terms = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_run = models.ForeignKey(DetectionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["error_kind", "id"]
        indexes = [models.Index(fields=["error_kind"], name="texttopic_kind_idx")]

    def __str__(self) -> str:
        return f"{self.error_kind}: {', '.join(self.top_terms[:3])}"


class QualityRollup(models.Model):
    """Audits of one day of decisions and one slice, summed: what the quality metrics read (rca/quality/).

    One row per (day, dimension, value, decision source, decision label, audit label, in doubt): the audits with those
    values whose decision was made that day (`decided_at`, in `settings.TIME_ZONE`), their count, the sum of their
    weights and of their squared weights. `dimension` is one of the rollup dimensions (market, language,
    model_version, queue, content_type, auditor) with `value` its value, or `all` with an empty value: each day's
    audits appear once per dimension. The outcome follows from the two labels (`rca.outcomes.derive_outcome`).
    `in_doubt` keeps the audits whose verdict is in doubt (`ModerationSample.verdict_in_doubt`) apart from the
    others, so the metrics can count or leave them out; whoever changes the flag marks the sample's day for a rebuild.

    Derived data only: `rca.quality.rollups` rebuilds a day's rows from the samples (never edits them): it deletes a
    range of days and inserts them again from one `GROUP BY` per dimension, under a lock, so a (day, dimension, value,
    source, labels, in doubt) key appears once by construction. A unique index on that key would say so too, at a
    third of the rebuild's cost (docs/performance.md); the one index is the metrics' way in: a dimension's rows over
    days.
    """

    day = models.DateField()
    dimension = models.CharField(max_length=16)
    value = models.CharField(max_length=64, blank=True, default="")
    decision_source = models.CharField(max_length=8, choices=DecisionSource.choices)
    decision_label = models.CharField(max_length=64)
    audit_label = models.CharField(max_length=64)
    in_doubt = models.BooleanField(default=False, help_text="Whether these audits' verdicts are in doubt.")
    audits = models.PositiveIntegerField()
    weight = models.FloatField(help_text="Sum of the audits' weights.")
    weight_squared = models.FloatField(help_text="Sum of the squares of the audits' weights (effective sample size).")

    class Meta:
        indexes = [models.Index(fields=["dimension", "day"], name="rollup_dimension_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value} {self.decision_label}>{self.audit_label}: {self.audits}"


class QualityRollupMark(models.Model):
    """A day of decisions whose rollups are out of date: written by each import batch in its own transaction (so an
    interrupted import leaves its marks behind), cleared by the rebuild of that day (`rca.quality.rollups`)."""

    day = models.DateField()

    def __str__(self) -> str:
        return str(self.day)


# ---------------------------------------------------------------------------------------------------------------------
# Import jobs: a large file imported by Celery workers, chunk by chunk (rca/importing/jobs.py)
# ---------------------------------------------------------------------------------------------------------------------


class ImportJob(models.Model):
    """One file on the server imported by workers in parallel: split into chunks (byte ranges on record boundaries),
    each imported in its own transaction. The counts are the sums of the chunks done; `total` is the file's lines after
    a CSV header (one record a line, except blank lines and CSV values that span lines)."""

    status = models.CharField(max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    source_path = models.CharField(max_length=1024, help_text="Absolute path of the file, as the workers read it.")
    file_format = models.CharField(max_length=8, choices=FileFormat.choices)
    file_size = models.PositiveBigIntegerField(default=0)
    chunk_bytes = models.PositiveIntegerField(help_text="The planned size of a chunk, in bytes.")
    header_bytes = models.PositiveIntegerField(default=0, help_text="CSV: the length of the header row, in bytes.")
    requested_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveBigIntegerField(default=0)
    processed = models.PositiveBigIntegerField(default=0, help_text="Lines of the chunks done.")
    created = models.PositiveBigIntegerField(default=0)
    updated = models.PositiveBigIntegerField(default=0)
    rejected = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True, default="", help_text="Why the job failed, when it did.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import job {self.pk} ({self.status})"


class ImportChunk(models.Model):
    """Bytes [start, end) of a job's file, starting at line `first_line`: imported in one transaction, whole or not at
    all, with its counts and its state (so a retried chunk is never counted twice); the job's counts are their sums."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    start = models.PositiveBigIntegerField()
    end = models.PositiveBigIntegerField()
    first_line = models.PositiveBigIntegerField()
    lines = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=ImportChunkStatus.choices, default=ImportChunkStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(
        default=list, blank=True, help_text="The first rejected records: line, external_id, errors."
    )
    error = models.TextField(blank=True, default="", help_text="Why the latest attempt failed.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="import_chunk_unique"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="import_chunk_range"),
        ]

    def __str__(self) -> str:
        return f"Chunk {self.index} of import job {self.job_id} ({self.status})"
