from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluator.concurrency import VersionedAdminMixin

from .models import Preference, Reminder, Schedule


@admin.register(Reminder)
class ReminderAdmin(SimpleHistoryAdmin):
    """Read-only: the record of what was sent. Failed ones are easy to find."""

    list_display = ("created_at", "rule", "recipient", "delivery", "attempts", "sent_at", "error")
    list_filter = ("delivery", "rule")
    search_fields = ("recipient__username", "title")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Preference, Schedule)
class SettingsAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    """People's reminder preferences and evaluations' reminder days: a stale save is refused."""
