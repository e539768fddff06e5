"""Reminders that go out at once, on events of the evaluations app."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from scoring import signals

from . import reminders


@receiver(signals.conflict_declared, dispatch_uid="notifications.conflict_declared")
def on_conflict_declared(sender: Any, conflict: Any, **kwargs: Any) -> None:
    reminders.notify(reminders.conflict_declared(conflict))


@receiver(signals.material_change, dispatch_uid="notifications.material_change")
def on_material_change(sender: Any, evaluation: Any, what: str, reason: str, **kwargs: Any) -> None:
    reminders.notify(reminders.material_change(evaluation, what, reason))


@receiver(signals.award_proposed, dispatch_uid="notifications.award_proposed")
def on_award_proposed(sender: Any, award: Any, **kwargs: Any) -> None:
    reminders.notify(reminders.award_proposed(award))
