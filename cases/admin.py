"""Admin for operators. Every write to a case and what hangs off it goes through `cases.services`, so that it is on
the timeline and keeps the case's derived fields (`sample_count`, `audience`) right. Here, then:

- cases, case-sample links, comments and the timeline are read-only (links and comments are made on the case page
  or through the API; a case is never deleted: close it or mark it won't fix);
- findings and action items can be corrected, through `finding_update` and `action_item_update` (one timeline entry
  per save), by the operators those services accept (quality leads, superusers); they are added on the case page and
  never deleted here (reject a finding, cancel an action item);
- teams and preferences are plain settings.
"""

from collections.abc import Callable

from django.contrib import admin

from cases import permissions, services
from cases.models import ActionItem, Activity, Case, CaseSample, Comment, Finding, Team, UserPreference
from config.admin import ReadOnlyAdminMixin


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    filter_horizontal = ("members",)
    prepopulated_fields = {"slug": ("name",)}


class ThroughServiceAdmin(admin.ModelAdmin):
    """A model whose rows the admin changes only through a service: `update_service` (called with the stored row as
    its `update_service_arg` keyword, the actor, and the fields the operator changed). No add, no delete; only users
    the service accepts (quality leads) may change."""

    update_service: Callable[..., object]
    update_service_arg: str

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and permissions.can_drive_case(request.user)

    def get_actions(self, request):
        return {}

    def save_model(self, request, obj, form, change):
        # The form has already copied its values onto `obj`: the service gets the stored row, and the changes.
        stored = self.get_queryset(request).get(pk=obj.pk)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        self.update_service(**{self.update_service_arg: stored}, actor=request.user, **changes)


class FindingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Finding
    fields = ("statement", "status", "author")
    show_change_link = True


class ActionItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ActionItem
    fields = ("title", "kind", "owner", "team", "status", "due_at")
    show_change_link = True


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "severity", "owner", "team", "origin", "sample_count", "due_at", "opened_at")
    list_filter = ("status", "severity", "origin", "team", "root_cause_category")
    search_fields = ("title", "problem_statement")
    date_hierarchy = "opened_at"
    list_select_related = ("owner", "team")
    inlines = [FindingInline, ActionItemInline]


@admin.register(CaseSample)
class CaseSampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "sample", "source", "linked_by", "linked_at")
    list_filter = ("source",)
    list_select_related = ("case", "sample", "linked_by")


@admin.register(Finding)
class FindingAdmin(ThroughServiceAdmin):
    list_display = ("__str__", "case", "status", "author", "created_at")
    list_filter = ("status",)
    search_fields = ("statement",)
    list_select_related = ("case", "author")
    fields = ("case", "statement", "status", "author", "evidence", "created_at", "updated_at")
    readonly_fields = ("case", "author", "evidence", "created_at", "updated_at")

    update_service = staticmethod(services.finding_update)
    update_service_arg = "finding"


@admin.register(ActionItem)
class ActionItemAdmin(ThroughServiceAdmin):
    list_display = ("title", "case", "kind", "owner", "team", "status", "due_at")
    list_filter = ("status", "kind", "team")
    search_fields = ("title",)
    list_select_related = ("case", "owner", "team")
    raw_id_fields = ("owner",)
    fields = (
        "case", "title", "description", "kind", "owner", "team", "due_at", "status", "created_by", "created_at",
        "updated_at", "completed_at",
    )  # fmt: skip
    readonly_fields = ("case", "created_by", "created_at", "updated_at", "completed_at")

    update_service = staticmethod(services.action_item_update)
    update_service_arg = "item"


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "case", "finding", "author", "created_at")
    search_fields = ("body",)
    list_select_related = ("case", "author")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The timeline is append-only (`cases.events`)."""

    list_display = ("created_at", "case", "actor", "verb")
    list_filter = ("verb",)
    list_select_related = ("case", "actor")


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "blur_sensitive")
    raw_id_fields = ("user",)
