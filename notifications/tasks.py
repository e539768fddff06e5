"""Celery tasks: each takes ids and calls one function of ``reminders``."""

from __future__ import annotations

import smtplib

from celery import shared_task

from . import reminders

# Mail servers fail in these ways; anything else is a bug and is not retried.
MAIL_ERRORS = (smtplib.SMTPException, OSError, TimeoutError)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def sweep() -> dict:
    """The periodic sweep (Celery beat): record what is due today and queue its delivery."""
    result = reminders.sweep()
    return {"recorded": len(result.recorded), "already": result.already, "skipped": len(result.skipped)}


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
    max_retries=4,
    default_retry_delay=30,
)
def deliver_reminder(self, reminder_id: int) -> str:
    """Email one reminder; a mail failure is retried with back-off, then the reminder is marked failed."""
    retries = self.request.retries
    while True:
        try:
            return reminders.deliver(reminder_id)
        except MAIL_ERRORS as exc:
            if retries >= self.max_retries:
                reminders.mark_failed(reminder_id, f"{type(exc).__name__}: {exc}")
                return "failed"
            if self.request.is_eager:  # no broker to come back later: try again in place
                retries += 1
                continue
            raise self.retry(exc=exc, countdown=30 * 2**retries) from exc


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def deliver_reminders(reminder_ids: list[int]) -> dict:
    """Email a batch of reminders over one mail connection; each that fails goes to ``deliver_reminder``."""
    outcome = reminders.deliver_many(reminder_ids)
    for reminder_id in outcome.retry:
        deliver_reminder.apply_async((reminder_id,), countdown=30, retries=1)  # the batch was the first try
    return {"sent": outcome.sent, "skipped": outcome.skipped, "retried": len(outcome.retry)}


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def send_digests() -> int:
    return reminders.send_digests()
