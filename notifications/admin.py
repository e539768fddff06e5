from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from core.concurrency import VersionedAdminMixin, VersionedModelForm
from scoring.services import EvaluationLocked

from . import services
from .models import Preference, Reminder, Schedule
from .services import SCHEDULE_FIELDS


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


@admin.register(Preference)
class SettingsAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    """People's reminder preferences: a stale save is refused."""


class ScheduleAdminForm(VersionedModelForm):
    """An awarded or cancelled evaluation's reminder days can't change: the form says so, and the
    refused attempt is kept with the evaluation (noted for the middleware, which records it)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        evaluation = cleaned.get("evaluation") or (self.instance.evaluation if self.instance.pk else None)
        if evaluation is not None:
            try:
                services.ensure_schedule_writable(evaluation)
            except EvaluationLocked as refused:
                raise ValidationError(refused.messages) from None
        return cleaned


@admin.register(Schedule)
class ScheduleAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    """Evaluations' reminder days, saved through ``notifications.services.schedule_update``: a stale
    save is refused, and so is any change to a locked evaluation's."""

    form = ScheduleAdminForm
    list_display = ("evaluation", *SCHEDULE_FIELDS)
    list_select_related = ("evaluation",)

    def get_readonly_fields(self, request: Any, obj: Schedule | None = None) -> tuple[str, ...]:
        return ("evaluation",) if obj is not None else ()

    def save_model(self, request: Any, obj: Schedule, form: ScheduleAdminForm, change: bool) -> None:
        saved = services.schedule_update(
            evaluation=obj.evaluation,
            expected_version=form.expected_version if change else None,
            **{name: form.cleaned_data[name] for name in SCHEDULE_FIELDS},
        )
        obj.pk, obj.version = saved.pk, saved.version  # the admin's log and redirect name the saved row
