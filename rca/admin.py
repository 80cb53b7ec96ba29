from django.contrib import admin

from rca.models import (
    DetectionRun,
    ErrorPattern,
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


@admin.register(ModerationSample)
class ModerationSampleAdmin(admin.ModelAdmin):
    list_display = (
        "external_id", "audited_at", "outcome", "decision_label", "audit_label", "market", "language",
        "decision_source", "model_version", "queue",
    )  # fmt: skip
    list_filter = ("outcome", "decision_source", "content_type", "market", "decision_label", "audit_label")
    search_fields = ("=external_id", "=content_id", "notes")
    date_hierarchy = "audited_at"
    readonly_fields = ("outcome", "imported_at", "updated_at")
    show_full_result_count = False  # a COUNT(*) over millions of rows on every page is not worth it
    list_select_related = ("decision_label", "audit_label")


class PatternFingerprintInline(admin.TabularInline):
    model = PatternFingerprint
    extra = 0
    readonly_fields = ("fingerprint", "created_at")


@admin.register(ErrorPattern)
class ErrorPatternAdmin(admin.ModelAdmin):
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
    readonly_fields = ("fingerprint", "created_at", "updated_at", "last_run")
    inlines = [PatternFingerprintInline]


@admin.register(PatternSample)
class PatternSampleAdmin(admin.ModelAdmin):
    list_display = ("pattern", "sample", "run")
    raw_id_fields = ("pattern", "sample", "run")
    list_select_related = ("pattern", "sample")


@admin.register(DetectionRun)
class DetectionRunAdmin(admin.ModelAdmin):
    list_display = (
        "id", "status", "created_at", "samples_read", "patterns_found", "cases_opened", "cases_updated",
        "cases_reopened",
    )  # fmt: skip
    list_filter = ("status",)
    readonly_fields = [field.name for field in DetectionRun._meta.fields]


@admin.register(SampleReveal)
class SampleRevealAdmin(admin.ModelAdmin):
    """The reveal log is evidence of who looked at harmful material: read-only."""

    list_display = ("revealed_at", "user", "sample")
    raw_id_fields = ("user", "sample")
    list_select_related = ("user", "sample")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
