"""The notification list, reminder preferences, an evaluation's reminder days, and the sending log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.roles import AUDITOR, group_names
from core.concurrency import EditConflict
from scoring.models import Evaluation
from scoring.services import EvaluationLocked
from scoring.views.access import evaluation_view

from . import selectors, services
from .filters import ReminderFilter
from .forms import PreferenceForm, ScheduleForm
from .models import Delivery
from .tables import ReminderTable


def inbox(request: HttpRequest) -> HttpResponse:
    """The user's own notifications, newest first; unread ones marked."""
    shown = selectors.inbox(request.user)
    return render(
        request,
        "notifications/inbox.html",
        {"notifications": shown, "unread_count": sum(1 for n in shown if n.read_at is None)},
    )


@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and follow its link (only one's own: another person's is 404)."""
    notification = get_object_or_404(selectors.notifications_of(request.user).select_related("reminder"), pk=pk)
    services.notification_read(notification=notification)
    return redirect(notification.reminder.url)


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("notifications:inbox")


def preferences(request: HttpRequest) -> HttpResponse:
    preference = selectors.preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_save(
                preference=preference,
                expected_version=form.expected_version if preference.pk else None,
                **{name: form.cleaned_data[name] for name in services.PREFERENCE_FIELDS},
            )
        except EditConflict as conflict:
            form.add_conflict(conflict.current)
        else:
            messages.success(request, "Reminder preferences saved.")
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@evaluation_view("scoring.manage_evaluation", message="Only the evaluation's owner and admins set its reminder days.")
def schedule(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """An evaluation's reminder days: its owner (or an admin) sets them."""
    current = selectors.schedule_for(evaluation)
    form = ScheduleForm(request.POST or None, instance=current)
    if evaluation.is_locked:
        for field in form.fields.values():
            field.disabled = True  # shown as they stand; a post is still refused (and kept) by the service
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_update(
                evaluation=evaluation,
                expected_version=form.expected_version if current.pk else None,
                **{name: form.cleaned_data[name] for name in services.SCHEDULE_FIELDS},
            )
        except EditConflict as conflict:
            form.add_conflict(conflict.current)
        except EvaluationLocked as refused:
            form.add_error(
                None, f"{' '.join(refused.messages)} Its reminder days are part of its record: nothing was saved."
            )
        else:
            messages.success(request, "Reminder days saved.")
            return redirect(evaluation)
    return render(request, "notifications/schedule.html", {"form": form, "evaluation": evaluation})


def log(request: HttpRequest) -> HttpResponse:
    """What was sent to whom and when, and what failed: admins and auditors."""
    if not (request.user.is_superuser or AUDITOR in group_names(request.user)):
        raise PermissionDenied("The sending log is for admins and auditors.")
    reminders = selectors.reminder_log()
    found = ReminderFilter(request.GET or None, queryset=reminders)
    table = ReminderTable(found.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "notifications/log.html",
        {"filter": found, "table": table, "failed": reminders.filter(delivery=Delivery.FAILED).count()},
    )
