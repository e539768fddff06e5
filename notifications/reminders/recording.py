"""The sweep: record each ``Due`` once as a ``Reminder`` with its notification, then hand it to delivery."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..models import Delivery, Notification, Preference, Reminder
from .rules import RULES, Due

# The name the log has always used, before reminders became a package.
logger = logging.getLogger("notifications.reminders")


@dataclass
class SweepResult:
    recorded: list[Reminder] = field(default_factory=list)
    already: int = 0
    skipped: list[str] = field(default_factory=list)  # why someone was left out
    failed_rules: list[str] = field(default_factory=list)


def record(dues: Iterable[Due], result: SweepResult | None = None) -> SweepResult:
    """Record each due reminder once (the database refuses a second copy), with its notification.

    What was recorded before is looked up first and the rest written in bulk. If another sweep
    records some of the same reminders at that very moment, the bulk write fails as a whole and
    they are recorded one by one, each refused copy counted as sent already.
    """
    result = result or SweepResult()
    preferences = {p.user_id: p for p in Preference.objects.all()}
    wanted: dict[tuple[str, str, int, str], Reminder] = {}
    for due in dues:
        person = due.recipient
        if not person.is_active:
            result.skipped.append(f"{due.title} → {person.get_username()}: the account is deactivated")
            continue
        preference = preferences.get(person.pk)
        if not due.essential and preference is not None and not preference.optional:
            result.skipped.append(f"{due.title} → {person.get_username()}: opted out of optional reminders")
            continue
        digest = preference is not None and preference.mode == Preference.Mode.DIGEST
        key = (due.rule, due.subject_key, person.pk, due.period)
        if key in wanted:
            result.already += 1
            continue
        wanted[key] = Reminder(
            rule=due.rule,
            subject_key=due.subject_key,
            recipient=person,
            period=due.period,
            evaluation=due.evaluation,
            title=due.title[:200],
            body=due.body,
            url=due.url,
            essential=due.essential,
            delivery=Delivery.DIGEST if digest else Delivery.PENDING,
        )
    for key in _recorded_before(wanted):
        del wanted[key]
        result.already += 1
    fresh = list(wanted.values())
    try:
        with transaction.atomic():
            recorded = bulk_create_with_history(fresh, Reminder, batch_size=BATCH)
            Notification.objects.bulk_create(
                [Notification(user_id=r.recipient_id, reminder=r) for r in recorded], batch_size=BATCH
            )
    except IntegrityError:
        for reminder in fresh:
            reminder.pk = None
            try:
                with transaction.atomic():
                    reminder.save()
                    Notification.objects.create(user_id=reminder.recipient_id, reminder=reminder)
            except IntegrityError:
                result.already += 1
                continue
            result.recorded.append(reminder)
    else:
        result.recorded.extend(recorded)
    return result


BATCH = 500  # rows per statement when recording, ids per query when looking up, reminders per delivery task


def _recorded_before(wanted: dict[tuple[str, str, int, str], Reminder]) -> set[tuple[str, str, int, str]]:
    """Which of ``wanted`` (by rule, subject, recipient and period) are recorded already."""
    by_rule: dict[str, list[str]] = {}
    for rule, subject_key, _, _ in wanted:
        by_rule.setdefault(rule, []).append(subject_key)
    found = set()
    for rule, subject_keys in by_rule.items():
        unique = sorted(set(subject_keys))
        for start in range(0, len(unique), BATCH):
            rows = Reminder.objects.filter(rule=rule, subject_key__in=unique[start : start + BATCH]).values_list(
                "rule", "subject_key", "recipient_id", "period"
            )
            found.update(row for row in rows if row in wanted)
    return found


def sweep(today: date | None = None, *, deliver: Callable[[int], Any] | None = None) -> SweepResult:
    """Every rule for ``today``: record what is due, then hand each immediate reminder to ``deliver``.

    ``deliver`` defaults to enqueueing the Celery task after commit (eager without a broker).
    """
    today = today or timezone.localdate()
    result = SweepResult()
    for name, rule in RULES.items():
        try:
            dues = rule(today)
        except Exception as exc:  # one broken rule must not stop the others
            logger.exception("Reminder rule %s failed", name)
            result.failed_rules.append(f"{name}: {exc}")
            continue
        record(dues, result)
    dispatch(result.recorded, deliver)
    return result


def dispatch(reminders: Iterable[Reminder], deliver: Callable[[int], Any] | None = None) -> None:
    """Hand each reminder to be emailed at once to ``deliver`` (an id at a time), or by default to
    Celery after the transaction commits, in batches of ``BATCH`` (see ``deliver_many``)."""
    pending = [reminder.pk for reminder in reminders if reminder.delivery == Delivery.PENDING]
    if deliver is not None:
        for reminder_id in pending:
            deliver(reminder_id)
        return
    from ..tasks import deliver_reminders

    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        transaction.on_commit(lambda batch=batch: deliver_reminders.delay(batch))


def notify(dues: Iterable[Due]) -> None:
    """An event's reminders: recorded now, delivered after the event's transaction commits."""
    dispatch(record(dues).recorded)
