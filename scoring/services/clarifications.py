"""Clarifications: an MSP asks a question in the bid room until questions close; the owner answers it,
published to every invited MSP without naming who asked (numbered in order), or privately when it concerns
only that bid, with the reason on the record. Each answer reaches the bid room's people by an email of
their own."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from scoring.models import Candidate, Clarification, Evaluation, Status, Visibility, questions_close_at
from scoring.services.common import enqueue
from scoring.services.locking import ensure_writable

logger = logging.getLogger(__name__)

MAX_QUESTION = 5000


def questions_open(evaluation: Evaluation) -> bool:
    """Whether the bid room takes questions now: bids are collected and questions have not closed."""
    closes = questions_close_at(evaluation)
    return evaluation.status == Status.COLLECTING_BIDS and (closes is None or timezone.now() < closes)


@transaction.atomic
def clarification_ask(*, candidate: Candidate, by: AbstractBaseUser, question: str) -> Clarification:
    """An MSP's question, until questions close. The owner is told there is one to answer."""
    candidate = Candidate.objects.select_for_update().select_related("evaluation").get(pk=candidate.pk)
    evaluation = candidate.evaluation
    if not candidate.is_invited:
        raise ValidationError(f"Your company has {candidate.get_status_display().lower()} this invitation.")
    if not questions_open(evaluation):
        day = evaluation.questions_due or evaluation.bids_due
        raise ValidationError(f"Questions closed at the end of {day:%A %-d %B %Y}." if day else "Questions are closed.")
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Write your question."})
    if len(question) > MAX_QUESTION:
        raise ValidationError({"question": f"A question is at most {MAX_QUESTION:,} characters."})
    clarification = Clarification(evaluation=evaluation, candidate=candidate, question=question, asked_by=by)
    clarification._history_user = by
    clarification.full_clean()
    clarification.save()
    transaction.on_commit(lambda: _queue(clarification.pk, "asked"))
    return clarification


@transaction.atomic
def clarification_answer(
    *, clarification: Clarification, by: AbstractBaseUser, answer: str, publish: bool, reason: str = ""
) -> Clarification:
    """Answer a question once: published to every invited MSP (the next number, the asker unnamed), or
    privately to the asker with the reason it concerns only that bid."""
    clarification = Clarification.objects.select_for_update().select_related("evaluation").get(pk=clarification.pk)
    ensure_writable(clarification.evaluation)
    if clarification.is_answered:
        raise ValidationError("This question was answered already.")
    answer, reason = (answer or "").strip(), (reason or "").strip()
    if not answer:
        raise ValidationError({"answer": "Write the answer."})
    if len(answer) > MAX_QUESTION:
        raise ValidationError({"answer": f"An answer is at most {MAX_QUESTION:,} characters."})
    if not publish and not reason:
        raise ValidationError({"reason": "Say why only this MSP gets the answer: every bidder gets the same facts."})
    clarification.answer, clarification.answered_by, clarification.answered_at = answer, by, timezone.now()
    if publish:
        last = Clarification.objects.filter(evaluation=clarification.evaluation).aggregate(n=Max("number"))["n"]
        clarification.visibility, clarification.number = Visibility.PUBLISHED, (last or 0) + 1
    else:
        clarification.visibility, clarification.private_reason = Visibility.PRIVATE, reason
    clarification._history_user = by
    clarification.full_clean()
    clarification.save()
    transaction.on_commit(lambda: _queue(clarification.pk, "answered"))
    return clarification


def _queue(clarification_id: int, what: str) -> None:
    from scoring.tasks import mail_clarification

    enqueue(mail_clarification, clarification_id, what)
