"""Admin of audit quality: who is which auditor (editable), and read-only views of disputes and of the calibration
export log (every change goes through the services)."""

from django.contrib import admin

from cases.disputes.models import AuditorIdentity, CalibrationExport, Dispute
from config.admin import ReadOnlyAdminMixin


@admin.register(AuditorIdentity)
class AuditorIdentityAdmin(admin.ModelAdmin):
    """Map a user to the `auditor_id` their audits carry: they may then second-review disputes, never their own."""

    list_display = ("auditor_id", "user")
    search_fields = ("auditor_id", "user__username")
    autocomplete_fields = ("user",)


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "sample", "status", "disputed_label", "raised_by", "raised_at", "resolved_at")
    list_filter = ("status",)
    list_select_related = ("sample", "raised_by")
    search_fields = ("sample__external_id",)


@admin.register(CalibrationExport)
class CalibrationExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who exported which calibration set, when, and how much sensitive text it held."""

    list_display = ("exported_at", "user", "case", "format", "sample_count", "sensitive_included", "sensitive_redacted")
    list_select_related = ("user", "case")
