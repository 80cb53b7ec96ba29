"""Admin for operators. Cases are changed through the services (workflow, links) in the app and the API: here their
workflow fields are read-only, and the timeline can be read but never added to, edited or deleted."""

from django.contrib import admin

from cases.audience import refresh_audience
from cases.models import ActionItem, Activity, Case, CaseSample, Comment, Finding, Team, UserPreference


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    filter_horizontal = ("members",)
    prepopulated_fields = {"slug": ("name",)}


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ("title", "kind", "owner", "team", "status", "due_at")
    raw_id_fields = ("owner",)
    show_change_link = True


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ("statement", "status", "author")
    raw_id_fields = ("author",)
    show_change_link = True


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "severity", "owner", "team", "origin", "sample_count", "due_at", "opened_at")
    list_filter = ("status", "severity", "origin", "team", "root_cause_category")
    search_fields = ("title", "problem_statement")
    date_hierarchy = "opened_at"
    raw_id_fields = ("owner", "pattern", "duplicate_of")
    filter_horizontal = ("shared_teams", "watchers")
    list_select_related = ("owner", "team")
    readonly_fields = (
        "status", "origin", "sample_count", "reopen_count", "opened_at", "triaged_at", "investigating_at",
        "root_cause_identified_at", "remediating_at", "monitoring_at", "closed_at", "resolved_at", "reopened_at",
        "updated_at",
    )  # fmt: skip
    inlines = [FindingInline, ActionItemInline]

    # Cases are opened and changed through the services (pages, API, detection) so that every change is on the
    # timeline; here operators look them up. They are never deleted: close them or mark them won't fix.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseSample)
class CaseSampleAdmin(admin.ModelAdmin):
    list_display = ("case", "sample", "source", "linked_by", "linked_at")
    list_filter = ("source",)
    raw_id_fields = ("case", "sample", "linked_by")
    list_select_related = ("case", "sample", "linked_by")


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "case", "status", "author", "created_at")
    list_filter = ("status",)
    search_fields = ("statement",)
    raw_id_fields = ("case", "author", "evidence")
    list_select_related = ("case", "author")


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "case", "kind", "owner", "team", "status", "due_at")
    list_filter = ("status", "kind", "team")
    search_fields = ("title",)
    raw_id_fields = ("case", "owner", "created_by")
    list_select_related = ("case", "owner", "team")

    # An item's owner may see its case: keep the audience of the cases concerned in step (cases.audience).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_audience([obj.case_id, form.initial.get("case")])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_audience([obj.case_id])

    def delete_queryset(self, request, queryset):
        case_ids = list(queryset.values_list("case_id", flat=True))
        super().delete_queryset(request, queryset)
        refresh_audience(case_ids)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "case", "finding", "author", "created_at")
    search_fields = ("body",)
    raw_id_fields = ("case", "finding", "author", "mentions")
    readonly_fields = ("body_html",)
    list_select_related = ("case", "author")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Append-only: no add, change or delete, and no bulk delete action."""

    list_display = ("created_at", "case", "actor", "verb")
    list_filter = ("verb",)
    raw_id_fields = ("case", "actor")
    list_select_related = ("case", "actor")
    readonly_fields = ("case", "actor", "verb", "data", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "blur_sensitive")
    raw_id_fields = ("user",)
