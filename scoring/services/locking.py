"""The lock on awarded and cancelled evaluations: every write checks it, and refused writes are recorded."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from core.history import acting_as
from scoring.models import (
    Evaluation,
    LockedWriteAttempt,
)

logger = logging.getLogger(__name__)


class EvaluationLocked(ValidationError):
    pass


def ensure_writable(evaluation: Evaluation) -> None:
    """The guard every write passes: awarded and cancelled evaluations are final.

    Reads the status under a row lock (inside the write's transaction), so a write
    prepared before an award or a cancellation can't slip in after it.
    """
    status = Evaluation.objects.select_for_update().filter(pk=evaluation.pk).values_list("status", flat=True).first()
    if status is not None:
        evaluation.status = status
    if evaluation.is_locked:
        note_refusal(evaluation, sys._getframe(1).f_code.co_name.replace("_", " "))
        raise EvaluationLocked(
            f"“{evaluation.title}” is {evaluation.get_status_display().lower()}: it is locked and can't be changed."
        )


# Refused writes to locked evaluations, noted while a request (or a command) runs and kept once
# it is over: the refused write's own transaction rolls back, the record of the attempt must not.
_refusals: ContextVar[list[tuple[int, str]] | None] = ContextVar("locked_refusals", default=None)


def note_refusal(evaluation: Evaluation, action: str) -> None:
    pending = _refusals.get()
    if pending is not None:
        pending.append((evaluation.pk, action))


@contextmanager
def recording_refusals(user: AbstractBaseUser | None, where: str) -> Iterator[None]:
    """Record, after the work inside is done, every write it tried on a locked evaluation."""
    token = _refusals.set([])
    try:
        yield
    finally:
        pending = _refusals.get() or []
        _refusals.reset(token)
        known = user if user is not None and user.is_authenticated else None
        for evaluation_id, action in dict.fromkeys(pending):
            try:
                with acting_as(known):
                    LockedWriteAttempt.objects.create(
                        evaluation_id=evaluation_id, user=known, action=f"{action} ({where})"[:200]
                    )
            except DatabaseError:
                logger.exception("Could not record a refused write to locked evaluation %s", evaluation_id)
