"""The admin's shared pieces, for every app: read-only admins for models that only their services
write (or that are append-only records: shown, never added, changed or deleted there), and the loop
of an admin action that calls a service per selected row; JSON fields shown as tables."""

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from crossborder.errors import DomainError

JSON_TABLE_SUFFIX = "_as_table"
EMPTY = "—"


def json_table(value):
    """A JSON value as HTML ops can read: an object as a table of its keys and values, a list of
    objects as a table with a column per key, a list of plain values joined with commas; nested
    values the same way, inside their cell. Every text is escaped."""
    if value is None or value == "" or value == {} or value == []:
        return EMPTY
    if isinstance(value, dict):
        rows = format_html_join(
            "", '<tr><th scope="row">{}</th><td>{}</td></tr>', ((k, json_table(v)) for k, v in value.items())
        )
        return format_html('<table class="json-table"><tbody>{}</tbody></table>', rows)
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value):
            keys = []
            for item in value:
                keys.extend(key for key in item if key not in keys)
            head = format_html_join("", '<th scope="col">{}</th>', ((key,) for key in keys))
            body = format_html_join(
                "",
                "<tr>{}</tr>",
                (
                    (format_html_join("", "<td>{}</td>", ((json_table(item.get(key)),) for key in keys)),)
                    for item in value
                ),
            )
            return format_html(
                '<table class="json-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body
            )
        if all(not isinstance(item, dict | list) for item in value):
            return ", ".join(str(item) for item in value)
        return format_html_join(mark_safe("<br>"), "{}", ((json_table(item),) for item in value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


class ReadableJSONMixin:
    """Read-only JSON fields of a model admin or inline shown as tables (json_table) instead of raw
    JSON: each such field's name in the form is swapped for `<name>_as_table`, a display of the same
    label. Editable JSON fields (a form's input) stay as they are."""

    def _json_fields(self):
        return {f.name for f in self.model._meta.get_fields() if isinstance(f, models.JSONField)}

    def _readonly_names(self, request, obj):
        names = set(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            names |= self._json_fields()
        return names

    def _swap(self, names, readonly):
        json_fields = self._json_fields()
        return [
            f"{name}{JSON_TABLE_SUFFIX}" if isinstance(name, str) and name in json_fields and name in readonly else name
            for name in names
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = self._readonly_names(request, obj)
        names = list(super().get_readonly_fields(request, obj))
        # A view-only inline's JSON fields are read-only without being listed: its form must leave
        # out their table displays too (an inline's form knows no view-only mode).
        names += [name for name in sorted(self._json_fields() & readonly) if name not in names]
        return self._swap(names, readonly)

    def get_fieldsets(self, request, obj=None):
        readonly = self._readonly_names(request, obj)
        return [
            (title, {**options, "fields": [self._swap_one(field, readonly) for field in options.get("fields", ())]})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def _swap_one(self, field, readonly):
        if isinstance(field, list | tuple):
            return type(field)(self._swap(field, readonly))
        return self._swap([field], readonly)[0]

    def __getattr__(self, name):
        if name.endswith(JSON_TABLE_SUFFIX):
            field_name = name.removesuffix(JSON_TABLE_SUFFIX)
            try:
                field = self.model._meta.get_field(field_name)
            except FieldDoesNotExist:
                raise AttributeError(name) from None
            if isinstance(field, models.JSONField):

                def show(obj):
                    return json_table(getattr(obj, field_name))

                show.short_description = field.verbose_name
                return show
        raise AttributeError(name)


class ReadOnlyMixin:
    """No add, change or delete permission (viewing stays with the view permission). The `obj`
    argument is optional so that both model admins and inlines take it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadableJSONMixin, ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadableJSONMixin, ReadOnlyMixin, admin.TabularInline):
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
