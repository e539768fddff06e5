"""Scorecards: who may score, conflicts of interest declared, scores saved, submitted and reopened."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import AUDITOR, EXECUTIVE, may_be_evaluator
from accounts.roles import MSP as MSP_ROLE
from core.concurrency import EditConflict
from scoring import signals
from scoring.models import (
    DECLARATION_TEXT,
    Assignment,
    Bid,
    ConflictOfInterest,
    Criterion,
    CriterionKind,
    Declaration,
    Score,
    Status,
)
from scoring.results import refresh_ranking
from scoring.services.changes import announce
from scoring.services.common import save_with_reason
from scoring.services.locking import ensure_writable
from vendors.models import MSP

logger = logging.getLogger(__name__)


def scoring_refusal(user: AbstractBaseUser) -> str | None:
    """Why ``user`` may not be assigned to score (``accounts.roles.may_be_evaluator``), in words; None if they may."""
    if may_be_evaluator(user):
        return None
    return refusal_reason(
        user.get_username(), active=user.is_active, groups=set(user.groups.values_list("name", flat=True))
    )


def refusal_reason(username: str, *, active: bool, groups: set[str]) -> str:
    if not active:
        return f"{username} is deactivated: a deactivated user does nothing, and never scores"
    if AUDITOR in groups:
        return f"{username} is an auditor: auditors read the record and never score"
    if EXECUTIVE in groups:
        return f"{username} is an executive: executives decide the award and never score"
    if MSP_ROLE in groups:
        return f"{username} signs in for a bidding MSP: the MSPs' people never score"
    return f"{username} may not score"


@transaction.atomic
def conflict_declare(*, assignment: Assignment, msp: MSP, note: str) -> ConflictOfInterest:
    """Declare a conflict with one MSP: the evaluator stops scoring its bid and the owner is told."""
    evaluation = assignment.evaluation
    ensure_writable(evaluation)
    _ensure_may_score(assignment)
    if assignment.is_submitted:
        raise ValidationError("Your scorecard is submitted; ask the owner to reopen it first.")
    if not Bid.objects.filter(evaluation=evaluation, msp=msp).exists():
        raise ValidationError({"msp": "That MSP has no bid in this evaluation."})
    if ConflictOfInterest.objects.filter(evaluation=evaluation, evaluator=assignment.evaluator, msp=msp).exists():
        raise ValidationError({"msp": "You already declared a conflict with this MSP."})
    conflict = ConflictOfInterest(evaluation=evaluation, evaluator=assignment.evaluator, msp=msp, note=note.strip())
    conflict.full_clean()
    conflict.save()
    for score in Score.objects.filter(assignment=assignment, bid__msp=msp):
        score._change_reason = "conflict of interest declared"
        score.delete()  # drafts only (the scorecard is not submitted); the history keeps them
    transaction.on_commit(lambda: signals.conflict_declared.send(sender=ConflictOfInterest, conflict=conflict))
    return conflict


def _ensure_may_score(assignment: Assignment) -> None:
    """Separated duties: an auditor, executive or deactivated user assigned through old data never scores."""
    from scoring.rules import may_score

    if not may_score.test(assignment.evaluator, assignment.evaluation):
        why = scoring_refusal(assignment.evaluator) or f"{assignment.evaluator.get_username()} may not score"
        raise ValidationError(f"{why}.")


def scorecard_slots(assignment: Assignment) -> list[tuple[Bid, list[Criterion]]]:
    """The (bid, applicable questions) the evaluator scores: every bid without a declared conflict."""
    evaluation = assignment.evaluation
    conflicted = set(
        ConflictOfInterest.objects.filter(evaluation=evaluation, evaluator=assignment.evaluator).values_list(
            "msp_id", flat=True
        )
    )
    questions = list(Criterion.objects.filter(evaluation=evaluation, kind=CriterionKind.QUESTION))
    return [
        (bid, [q for q in questions if q.applies(bid.model)])
        for bid in Bid.objects.filter(evaluation=evaluation).select_related("msp")
        if bid.msp_id not in conflicted
    ]


def scorecard_version(scores: Iterable[Score]) -> str:
    """A scorecard's version: a digest of its saved scores and notes. It moves on with every save that
    changes one, from whatever window or tab, so a page opened before that save is refused."""
    saved = sorted((s.bid_id, s.criterion_id, s.score, s.note) for s in scores)
    return hashlib.sha256(json.dumps(saved).encode()).hexdigest()[:32]


@transaction.atomic
def scorecard_save(
    *,
    assignment: Assignment,
    entries: dict[tuple[int, int], tuple[int | None, str]],
    submit: bool = False,
    expected_version: str | None = None,
) -> Assignment:
    """Save the evaluator's scores (drafts); with ``submit``, make the scorecard final.

    With ``expected_version`` (``scorecard_version`` when the page was opened), scores saved since,
    from another tab, are not overwritten: ``EditConflict``, and nothing is written. (A page posting
    exactly what is saved, a double click, is no conflict.)
    """
    assignment = Assignment.objects.select_for_update().select_related("evaluation", "evaluator").get(pk=assignment.pk)
    evaluation = assignment.evaluation
    _ensure_open_scorecard(assignment)
    allowed = {(bid.pk, q.pk) for bid, questions in scorecard_slots(assignment) for q in questions}
    existing = {(s.bid_id, s.criterion_id): s for s in Score.objects.filter(assignment=assignment)}
    if expected_version and scorecard_version(existing.values()) != expected_version:
        saved = {key: (s.score, s.note) for key, s in existing.items()}
        if saved != {key: entry for key, entry in entries.items() if entry[0] is not None}:
            raise EditConflict(assignment)
    for (bid_id, criterion_id), (value, note) in entries.items():
        if (bid_id, criterion_id) not in allowed:
            raise ValidationError("A score was given for a bid or question you don't score.")
        _save_score(assignment, existing.get((bid_id, criterion_id)), bid_id, criterion_id, value, note)
    if submit:
        scored = set(Score.objects.filter(assignment=assignment).values_list("bid_id", "criterion_id"))
        missing = allowed - scored
        if missing:
            raise ValidationError(f"Score every question before submitting: {len(missing)} still empty.")
        assignment.submitted_at = timezone.now()
        save_with_reason(assignment, update_fields=["submitted_at"])
        refresh_ranking(evaluation)
    return assignment


def _ensure_open_scorecard(assignment: Assignment) -> None:
    """The scorecard takes scores: the evaluation is writable and in scoring, the evaluator may score, and
    has not submitted."""
    evaluation = assignment.evaluation
    ensure_writable(evaluation)
    _ensure_may_score(assignment)
    if evaluation.status != Status.SCORING:
        raise ValidationError("Scores can only be entered while the evaluation is in scoring.")
    if assignment.is_submitted:
        raise ValidationError("Your scorecard is already submitted; ask the owner to reopen it to change it.")


def _save_score(
    assignment: Assignment, score: Score | None, bid_id: int, criterion_id: int, value: int | None, note: str
) -> None:
    """One slot of the scorecard: a score written, changed, or (left empty) removed."""
    if value is not None and not 0 <= value <= 5:
        raise ValidationError("Scores run from 0 to 5.")
    if value is None:
        if score is not None:
            score.delete()
        return
    if score is None:
        score = Score(assignment=assignment, bid_id=bid_id, criterion_id=criterion_id, score=value, note=note)
        score.full_clean()
        score.save()
    elif score.score != value or score.note != note:
        # The evaluator's own now, no longer what a package said.
        score.score, score.note, score.from_package = value, note, False
        score.save(update_fields=["score", "note", "from_package", "updated_at"])


@transaction.atomic
def scorecard_reopen(*, assignment: Assignment, reason: str) -> Assignment:
    """The owner reopens a submitted scorecard; its scores stop counting until it is submitted again."""
    assignment = Assignment.objects.select_for_update().select_related("evaluation").get(pk=assignment.pk)
    ensure_writable(assignment.evaluation)
    if not assignment.is_submitted:
        raise ValidationError("That scorecard is not submitted.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the scorecard is reopened."})
    assignment.submitted_at = None
    assignment.submitted_from_package = False  # a later submission is the evaluator's own
    save_with_reason(assignment, reason=reason.strip(), update_fields=["submitted_at", "submitted_from_package"])
    refresh_ranking(assignment.evaluation)
    who = assignment.evaluator.get_full_name() or assignment.evaluator.get_username()
    announce(assignment.evaluation, f"the scorecard of {who}, reopened (its scores no longer count)", reason.strip())
    return assignment


@transaction.atomic
def declaration_sign(*, assignment: Assignment, signed_name: str) -> Declaration:
    """The evaluator signs the statement (``DECLARATION_TEXT``) before first seeing the bids; once."""
    evaluation = assignment.evaluation
    ensure_writable(evaluation)
    name = " ".join(signed_name.split())
    if not name:
        raise ValidationError({"signed_name": "Type your name to sign."})
    existing = Declaration.objects.filter(assignment=assignment).first()
    if existing is not None:
        return existing
    declaration = Declaration(
        assignment=assignment, signed_name=name[:150], text=DECLARATION_TEXT.format(title=evaluation.title)
    )
    declaration.full_clean()
    declaration.save()
    return declaration
