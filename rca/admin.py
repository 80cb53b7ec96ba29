"""Admin of the evidence: policy labels are settings an operator edits; samples, patterns, detection runs and the
reveal log are read-only. Samples come from the import, which derives each one's `outcome` from its labels (a
correction is re-imported: the import upserts by `external_id`); patterns and runs are what detection wrote, and
editing them by hand would break a pattern's identity or leave its case out of step.
"""

from django.contrib import admin

from config.admin import ReadOnlyAdminMixin
from rca.models import (
    DetectionRun,
    ErrorPattern,
    ImportChunk,
    ImportJob,
    ModerationSample,
    PatternFingerprint,
    PatternSample,
    PolicyLabel,
    SampleReveal,
)


@admin.register(PolicyLabel)
class PolicyLabelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "area", "severity_weight", "is_sensitive", "is_active")
    list_filter = ("area", "is_sensitive", "is_active")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # Samples point at a label by its code: renaming the code of a label in use would orphan them.
        return ("code",) if obj is not None else ()


@admin.register(ModerationSample)
class ModerationSampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "external_id", "audited_at", "outcome", "decision_label", "audit_label", "market", "language",
        "decision_source", "model_version", "queue",
    )  # fmt: skip
    list_filter = ("outcome", "decision_source", "content_type", "market", "decision_label", "audit_label")
    search_fields = ("=external_id", "=content_id", "notes")
    date_hierarchy = "audited_at"
    show_full_result_count = False  # a COUNT(*) over millions of rows on every page is not worth it
    list_select_related = ("decision_label", "audit_label")


class PatternFingerprintInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PatternFingerprint


@admin.register(ErrorPattern)
class ErrorPatternAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "status",
        "policy_label",
        "market",
        "support",
        "error_rate",
        "lift",
        "days_seen",
        "last_seen",
    )
    list_filter = ("status", "policy_area", "market")
    search_fields = ("=fingerprint", "name")
    inlines = [PatternFingerprintInline]


@admin.register(PatternSample)
class PatternSampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pattern", "sample", "run")
    list_select_related = ("pattern", "sample")


@admin.register(DetectionRun)
class DetectionRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id", "status", "created_at", "samples_read", "patterns_found", "cases_opened", "cases_updated",
        "cases_reopened",
    )  # fmt: skip
    list_filter = ("status",)


@admin.register(SampleReveal)
class SampleRevealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reveal log is evidence of who looked at harmful material."""

    list_display = ("revealed_at", "user", "sample")
    list_select_related = ("user", "sample")


class ImportChunkInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ImportChunk
    fields = ("index", "status", "attempts", "first_line", "lines", "created", "updated", "rejected", "error",
              "finished_at")  # fmt: skip
    readonly_fields = fields


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Import jobs are created by `import_samples_parallel` and `POST /api/v1/import-jobs/`, and moved by workers."""

    list_display = (
        "id", "status", "source_path", "created_at", "total", "processed", "created", "updated", "rejected",
        "finished_at",
    )  # fmt: skip
    list_filter = ("status", "file_format")
    inlines = [ImportChunkInline]
