"""Delivery: email a reminder, a batch of them over one connection, or a person's daily digest."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import Delivery, Reminder, Rule

# Reminders for the MSPs' people in the bid room.
BID_ROOM_RULES = {Rule.BID_ROOM_DUE, Rule.QUESTIONS_CLOSING}

# The name the log has always used, before reminders became a package.
logger = logging.getLogger("notifications.reminders")


class NoAddress(Exception):
    pass


def _email(person: AbstractBaseUser, subject: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    if not person.email:
        raise NoAddress(f"{person.get_username()} has no email address")
    # The MSPs' people reach only the bid room: no link to the reminder preferences they can't open.
    bid_room = all(r.rule in BID_ROOM_RULES for r in context.get("reminders", []))
    context = {"site_url": settings.SITE_URL, "person": person, "bid_room_person": bid_room, **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/email.txt", context),
        to=[person.email],
    )
    message.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
    return message


def deliver(reminder_id: int) -> str:
    """Email one reminder; returns its delivery state. Mail errors propagate so the task can retry."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().select_related("recipient").get(pk=reminder_id)
        if reminder.delivery != Delivery.PENDING:
            return reminder.delivery  # sent already (a retry after a lost ack), or not for email
        reminder.attempts += 1
        reminder.save(update_fields=["attempts"])
    try:
        message = _email(reminder.recipient, reminder.title, {"reminders": [reminder]})
    except NoAddress as exc:
        _finish(reminder, Delivery.SKIPPED, str(exc))
        logger.warning("Reminder %s not emailed: %s", reminder.pk, exc)
        return Delivery.SKIPPED
    message.send()
    _finish(reminder, Delivery.SENT)
    return Delivery.SENT


@dataclass
class Delivered:
    sent: int = 0
    skipped: int = 0
    retry: list[int] = field(default_factory=list)  # mail failed: for the retrying single-reminder task


def deliver_many(reminder_ids: Iterable[int]) -> Delivered:
    """Email a batch of reminders over one connection to the mail server.

    Those another worker holds, or that went out already, are left alone. A reminder whose
    mail fails stays pending, in ``retry``, for ``deliver`` to try again with back-off.
    """
    outcome = Delivered()
    with transaction.atomic():
        batch = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk__in=list(reminder_ids), delivery=Delivery.PENDING)
            .order_by("pk")
        )
        for reminder in batch:
            reminder.attempts += 1
        Reminder.objects.filter(pk__in=[r.pk for r in batch]).update(attempts=F("attempts") + 1)
        Reminder.history.bulk_history_create(batch, update=True)
    now = timezone.now()
    done: list[Reminder] = []
    connection = get_connection()
    try:
        connection.open()  # one connection for the whole batch
    except Exception:  # each message then tries on its own, and fails to the retrying task
        logger.exception("Could not open a connection to the mail server")
    try:
        for reminder in batch:
            try:
                message = _email(reminder.recipient, reminder.title, {"reminders": [reminder]})
            except NoAddress as exc:
                _set(reminder, Delivery.SKIPPED, str(exc))
                logger.warning("Reminder %s not emailed: %s", reminder.pk, exc)
                outcome.skipped += 1
                done.append(reminder)
                continue
            message.connection = connection
            try:
                message.send()
            except Exception:  # this one goes to the retrying task; the batch goes on
                logger.exception("Reminder %s: mail failed, to be retried", reminder.pk)
                outcome.retry.append(reminder.pk)
                continue
            _set(reminder, Delivery.SENT, now=now)
            outcome.sent += 1
            done.append(reminder)
    finally:
        connection.close()
    with transaction.atomic():
        sent = [r.pk for r in done if r.delivery == Delivery.SENT]
        Reminder.objects.filter(pk__in=sent).update(delivery=Delivery.SENT, error="", sent_at=now)
        for reminder in done:
            if reminder.delivery != Delivery.SENT:
                Reminder.objects.filter(pk=reminder.pk).update(delivery=reminder.delivery, error=reminder.error)
        Reminder.history.bulk_history_create(done, update=True)
    return outcome


def _set(reminder: Reminder, delivery: str, error: str = "", *, now: datetime | None = None) -> None:
    reminder.delivery = delivery
    reminder.error = error
    reminder.sent_at = (now or timezone.now()) if delivery == Delivery.SENT else None


def _finish(reminder: Reminder, delivery: str, error: str = "") -> None:
    _set(reminder, delivery, error)
    reminder.save(update_fields=["delivery", "error", "sent_at"])


def mark_failed(reminder_id: int, error: str) -> None:
    reminder = Reminder.objects.get(pk=reminder_id)
    if reminder.delivery == Delivery.PENDING:
        _finish(reminder, Delivery.FAILED, error[:2000])
        logger.error("Reminder %s failed for good: %s", reminder_id, error)


def send_digests() -> int:
    """One email per person with every reminder waiting for their daily digest; returns emails sent."""
    sent = 0
    waiting = Reminder.objects.filter(delivery=Delivery.DIGEST).select_related("recipient").order_by("recipient", "pk")
    by_person: dict[int, list[Reminder]] = {}
    for reminder in waiting:
        by_person.setdefault(reminder.recipient_id, []).append(reminder)
    for reminders in by_person.values():
        person = reminders[0].recipient
        try:
            _email(person, f"Your reminders: {len(reminders)} today", {"reminders": reminders}).send()
        except NoAddress as exc:
            for reminder in reminders:
                _finish(reminder, Delivery.SKIPPED, str(exc))
            continue
        except Exception as exc:  # the next digest tries again
            logger.exception("Digest for %s failed", person)
            for reminder in reminders:
                reminder.error = str(exc)[:2000]
                reminder.save(update_fields=["error"])
            continue
        for reminder in reminders:
            _finish(reminder, Delivery.SENT)
        sent += 1
    return sent
