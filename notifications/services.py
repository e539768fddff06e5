"""Writes: an evaluation's reminder settings (through the same lock as every other write to it), a
person's reminder preferences, and what they have read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from core.concurrency import EditConflict, save_versioned
from scoring.models import Evaluation
from scoring.services import ensure_writable

from .models import Notification, Preference, Schedule

SCHEDULE_FIELDS = ["scoring_days", "bids_days", "evidence_days", "contract_notice_days"]
PREFERENCE_FIELDS = ["mode", "optional"]


def ensure_schedule_writable(evaluation: Evaluation) -> None:
    """Refuse (``EvaluationLocked``, the attempt noted) as ``schedule_update`` would: for forms that
    say so before saving, such as the admin's. Call inside a transaction."""
    ensure_writable(evaluation)


@transaction.atomic
def schedule_update(*, evaluation: Evaluation, expected_version: int | None = None, **fields: Any) -> Schedule:
    """Set an evaluation's reminder days (its schedule is created on first save).

    An awarded or cancelled evaluation refuses (``scoring.services.ensure_writable``): the schedule
    is part of what the locked record decided (the contract notice counts from the award), and the
    refused attempt is kept with the evaluation like any other. ``expected_version`` is the
    schedule's version when the form was opened (None for one not saved yet): a change made
    meanwhile is not overwritten (``EditConflict``).
    """
    unknown = set(fields) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    ensure_writable(evaluation)
    schedule = Schedule.objects.select_for_update().filter(evaluation=evaluation).first()
    if schedule is None:
        schedule = Schedule(evaluation=evaluation, **fields)
        schedule.full_clean()
        schedule.save()
        return schedule
    if expected_version is None:  # opened as a new schedule, and someone saved one meanwhile
        raise EditConflict(schedule)
    for name, value in fields.items():
        setattr(schedule, name, value)
    save_versioned(schedule, expected_version=expected_version, fields=[*fields])
    return schedule


def preference_save(*, preference: Preference, expected_version: int | None = None, **fields: Any) -> Preference:
    """Save a person's reminder preferences (created on first save).

    ``expected_version`` is their version when the form was opened: a change made meanwhile is
    not overwritten (``EditConflict``).
    """
    unknown = set(fields) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(preference, name, value)
    if preference.pk is None:
        preference.full_clean()
        preference.save()
    else:
        save_versioned(preference, expected_version=expected_version, fields=[*fields])
    return preference


def notification_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_read(*, user: AbstractBaseUser) -> int:
    """Mark all the person's unread notifications read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
