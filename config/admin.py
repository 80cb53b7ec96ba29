"""Admin building blocks shared by the apps' admins."""


class ReadOnlyAdminMixin:
    """View-only in the admin: no add, change or delete, and no bulk actions. For a `ModelAdmin` or an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
