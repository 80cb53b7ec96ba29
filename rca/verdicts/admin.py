"""The verdict history in the admin, read-only: reviews are written by `rca.verdicts.services` only."""

from django.contrib import admin

from config.admin import ReadOnlyAdminMixin
from rca.verdicts.models import SampleReview


@admin.register(SampleReview)
class SampleReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The verdict history: each second audit keeps the verdict it reviewed."""

    list_display = (
        "id",
        "sample",
        "kind",
        "verdict_label",
        "label",
        "overturned",
        "reviewer_auditor_id",
        "reviewed_at",
    )
    list_filter = ("kind", "overturned")
    list_select_related = ("sample",)
    search_fields = ("sample__external_id", "external_id", "reviewer_auditor_id")
