"""The admin's shared pieces, for every app: read-only admins for models that only their services
write (or that are append-only records: shown, never added, changed or deleted there), and the loop
of an admin action that calls a service per selected row."""

from django.contrib import admin, messages

from crossborder.errors import DomainError


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


def run_for_each(modeladmin, request, items, operation, done_message, *, errors=DomainError, label=str, on_done=None):
    """An admin action's loop: call `operation` (a service) per item; a refusal (one of `errors`) is
    reported on the item (named by `label`) and the others go on; `on_done(result)` after each one
    that went through; then how many did (`done_message(n)`)."""
    done = 0
    for item in items:
        try:
            result = operation(item)
        except errors as error:
            modeladmin.message_user(request, f"{label(item)}: {error.detail}", messages.ERROR)
            continue
        done += 1
        if on_done is not None:
            on_done(result)
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
