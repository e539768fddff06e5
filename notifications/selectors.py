"""Reads for the notification pages: a person's own notifications and settings, an evaluation's
reminder days, and the sending log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from scoring.models import Evaluation

from .models import Notification, Preference, Reminder, Schedule

INBOX_SIZE = 200


def notifications_of(user: AbstractBaseUser) -> QuerySet[Notification]:
    """Only the person's own: another person's notification is not found."""
    return Notification.objects.filter(user=user)


def inbox(user: AbstractBaseUser) -> list[Notification]:
    """The person's newest notifications, with what each reminds them of."""
    newest = notifications_of(user).select_related("reminder__evaluation").order_by("-created_at")
    return list(newest[:INBOX_SIZE])


def preference_for(user: AbstractBaseUser) -> Preference:
    """The person's reminder preferences, or the defaults (not saved) when they never set any."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def schedule_for(evaluation: Evaluation) -> Schedule:
    """The evaluation's reminder days, or the defaults (not saved) when nobody set them."""
    return Schedule.objects.filter(evaluation=evaluation).first() or Schedule(evaluation=evaluation)


def reminder_log() -> QuerySet[Reminder]:
    """Every reminder recorded, newest first, with its recipient."""
    return Reminder.objects.select_related("recipient").order_by("-created_at", "-pk")
