"""Admin of the quality initiatives: read-only (leads define and edit them on their pages or through the API, where
`cases.initiatives.services` checks them)."""

from django.contrib import admin

from cases.initiatives.models import Initiative
from config.admin import ReadOnlyAdminMixin


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "owner", "baseline_rate", "target_rate", "target_date"]
    search_fields = ["name"]
    list_select_related = ["owner"]
