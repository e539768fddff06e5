"""Celery tasks of the bid room: each takes an id and sends one email."""

from __future__ import annotations

from celery import shared_task

from scoring import mail


@shared_task(
    acks_late=True, time_limit=60, soft_time_limit=50, autoretry_for=(OSError,), max_retries=4, retry_backoff=30
)
def mail_invitation(invitation_id: int) -> None:
    mail.send_invitation(invitation_id)


@shared_task(
    acks_late=True, time_limit=60, soft_time_limit=50, autoretry_for=(OSError,), max_retries=4, retry_backoff=30
)
def mail_receipt(submission_id: int) -> None:
    mail.send_receipt(submission_id)


@shared_task(
    acks_late=True, time_limit=60, soft_time_limit=50, autoretry_for=(OSError,), max_retries=4, retry_backoff=30
)
def mail_new_link(email: str) -> None:
    mail.send_new_links(email)


@shared_task(
    acks_late=True, time_limit=300, soft_time_limit=280, autoretry_for=(OSError,), max_retries=4, retry_backoff=30
)
def mail_clarification(clarification_id: int, what: str) -> None:
    mail.send_clarification(clarification_id, what)


@shared_task(
    acks_late=True, time_limit=300, soft_time_limit=280, autoretry_for=(OSError,), max_retries=4, retry_backoff=30
)
def mail_addendum(addendum_id: int) -> None:
    mail.send_addendum(addendum_id)
