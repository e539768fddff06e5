"""What every write shares: saving through the model so history records the reason, and retiring a record."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from scoring.results import refresh_ranking
from scoring.services.changes import announce
from scoring.services.locking import ensure_writable

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any) -> None:
    """Hand a task to the workers after the action is saved; if the broker can't take it, the action stands
    (the page must not fail) and the failure is logged."""
    try:
        task.delay(*args)
    except Exception:  # the broker is down or refuses
        logger.exception("%s%r not queued", getattr(task, "name", task), args)


def save_with_reason(instance: Any, *, reason: str = "", **kwargs: Any) -> None:
    """Save through the model so history records it, with the reason when one is given."""
    if reason:
        instance._change_reason = reason
    instance.save(**kwargs)


def retire(record: Any, *, field: str, reason: str, missing_reason: str, changes_ranking: bool = True) -> Any:
    """Take a record out of play without deleting it: a timestamp, and the reason in the history."""
    evaluation = record.bid.evaluation
    ensure_writable(evaluation)
    if not reason.strip():
        raise ValidationError({"reason": missing_reason})
    # Under a row lock: a second click from a stale page must not withdraw it twice.
    if getattr(type(record).objects.select_for_update().get(pk=record.pk), field) is not None:
        raise ValidationError("That was already done by someone else: the page was out of date.")
    setattr(record, field, timezone.now())
    save_with_reason(record, reason=reason.strip(), update_fields=[field])
    if changes_ranking:
        refresh_ranking(evaluation)
        name = getattr(record, "code", None) or getattr(record, "name", "")
        verb = "revoked" if field == "revoked_at" else "withdrawn"
        what = f"{type(record)._meta.verbose_name} {name} {verb} on the bid from {record.bid.vendor_name}"
        announce(evaluation, what, reason.strip())
    return record
