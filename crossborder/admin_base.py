"""The admin's shared read-only pieces, for every app: models that only their services write (or
that are append-only records) are shown in the admin, never added, changed or deleted there."""

from django.contrib import admin


class ReadOnlyMixin:
    """No add, change or delete permission (viewing stays with the view permission). The `obj`
    argument is optional so that both model admins and inlines take it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
