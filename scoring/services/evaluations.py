"""Setting an evaluation up: creating it, its fields, its status, its criteria and its evaluators."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import EditConflict, save_versioned
from scoring.models import (
    AppliesTo,
    Assignment,
    Award,
    AwardDecision,
    Bid,
    BidModel,
    Criterion,
    CriterionKind,
    Evaluation,
    Model,
    QuestionTemplate,
    Requirement,
    RequirementTemplate,
    Status,
    Submission,
)
from scoring.results import refresh_ranking
from scoring.services.addenda import REQUEST_FIELDS, request_changed
from scoring.services.changes import MATERIAL_EVALUATION_FIELDS, announce, explained, scoring_started
from scoring.services.common import save_with_reason
from scoring.services.locking import ensure_writable
from scoring.services.record import lock_record
from scoring.services.scorecards import scoring_refusal

logger = logging.getLogger(__name__)


PRICE_KEY = "price"


DEFAULT_PRICE_WEIGHT = Decimal("25")


EVALUATION_FIELDS = [
    "title",
    "model",
    "term_months",
    "red_flag_policy",
    "red_flag_penalty",
    "sealed_prices",
    "monthly_budget",
    "questions_due",
    "bids_due",
    "scoring_due",
    "decision_due",
    "organization_name",
    "employees",
    "devices",
    "it_staff",
    "it_staff_annual_cost",
    "industry",
    "compliance",
    "request_publishes",
    "request_shows_weights",
]


@transaction.atomic
def evaluation_create(
    *, owner: AbstractBaseUser, requirement_templates: Iterable[RequirementTemplate] = (), **fields: Any
) -> Evaluation:
    """A new evaluation with the library's questions for its model, the price criterion and the requirements."""
    evaluation = Evaluation(owner=owner, **fields)
    evaluation.full_clean()
    evaluation.save()
    questions = QuestionTemplate.objects.filter(active=True).order_by("position", "key")
    if evaluation.model != Model.BOTH:
        questions = questions.filter(model=evaluation.model)
    position = 0
    for position, question in enumerate(questions):
        Criterion.objects.create(
            evaluation=evaluation,
            key=question.key,
            kind=CriterionKind.QUESTION,
            text=question.text,
            category=question.category,
            weight=question.default_weight,
            applies_to=question.model,
            rubric=question.rubric,
            position=position,
        )
    Criterion.objects.create(
        evaluation=evaluation,
        key=PRICE_KEY,
        kind=CriterionKind.PRICE,
        text="Total cost of ownership over the horizon",
        category="Cost",
        weight=DEFAULT_PRICE_WEIGHT,
        applies_to=AppliesTo.ALL,
        position=position + 1,
    )
    for index, template in enumerate(requirement_templates):
        Requirement.objects.create(evaluation=evaluation, key=template.key, text=template.text, position=index)
    refresh_ranking(evaluation)
    return evaluation


@transaction.atomic
def evaluation_update(*, evaluation: Evaluation, expected_version: int, reason: str = "", **fields: Any) -> Evaluation:
    """Change the evaluation; once scoring has started, a change that moves the ranking (sealed prices,
    the buyer's numbers, the red-flag policy …) needs a reason, kept on the record, and the evaluators are told."""
    unknown = set(fields) - set(EVALUATION_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    ensure_writable(evaluation)
    moved = [
        label
        for name, label in MATERIAL_EVALUATION_FIELDS.items()
        if name in fields and fields[name] != getattr(evaluation, name)
    ]
    what = ", ".join(moved)
    reason = explained(evaluation, reason, what) if moved else reason.strip()
    evaluation._change_reason = reason or None
    if "model" in fields and fields["model"] != Model.BOTH:
        wrong = Bid.objects.filter(evaluation=evaluation).exclude(model=fields["model"])
        if wrong.exists():
            raise ValidationError({"model": "Some bids offer the other model; the evaluation must allow both."})
    if "model" in fields and fields["model"] != evaluation.model and _sealed_count(evaluation):
        raise ValidationError(
            {
                "model": "Sealed bids in the bid room answered the request as it is: the models compared can't change "
                "until they are opened."
            }  # fmt: skip
        )
    request = _request_changes(evaluation, fields)
    for name, value in fields.items():
        setattr(evaluation, name, value)
    save_versioned(evaluation, expected_version=expected_version, fields=[*fields, "updated_at"])
    if request:
        request_changed(evaluation, "; ".join(request), reason)
    refresh_ranking(evaluation)
    if moved:
        announce(evaluation, what, reason)
    return evaluation


@transaction.atomic
def evaluation_transition(*, evaluation: Evaluation, to: str, reason: str = "") -> Evaluation:
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    ensure_writable(evaluation)
    if to == Status.AWARDED and evaluation.status == Status.DECISION:
        raise ValidationError("An evaluation is awarded by approving a proposed winner, not by changing its status.")
    if to not in evaluation.allowed_transitions():
        target = Status(to).label.lower() if to in Status.values else repr(to)
        raise ValidationError(f"An evaluation can't go from {evaluation.get_status_display().lower()} to {target}.")
    if Award.objects.filter(evaluation=evaluation, decision=AwardDecision.PENDING).exists():
        raise ValidationError("A proposed award is waiting for an executive's decision: it is decided first.")
    if to == Status.SCORING and (sealed := _sealed_count(evaluation)):
        raise ValidationError(
            f"{sealed} sealed bid{'s are' if sealed != 1 else ' is'} waiting in the bid room: "
            "open the bids once they close, then start scoring."
        )
    if to == Status.DECISION and (early := _early_decision(evaluation)) and not reason.strip():
        raise ValidationError(f"{early}: say why the decision stage starts now; the reason is kept on the record.")
    evaluation.status = to
    evaluation.version += 1
    save_with_reason(evaluation, reason=reason, update_fields=["status", "version", "updated_at"])
    # A cancellation locks the ranking as it stands today: store it so, and keep the record.
    refresh_ranking(evaluation)
    if evaluation.is_locked:
        lock_record(evaluation=evaluation)
    return evaluation


def _request_changes(evaluation: Evaluation, fields: dict[str, Any]) -> list[str]:
    """What of the bid room's request ``fields`` change, in words: "the day bids are due: 15 Jan → 22 Jan"."""
    found = []
    for name, label in REQUEST_FIELDS.items():
        old, new = getattr(evaluation, name), fields.get(name, getattr(evaluation, name))
        if new != old:
            as_words = [f"{v:%-d %b %Y}" if hasattr(v, "strftime") else str(v) for v in (old, new)]
            found.append(f"{label}: {as_words[0]} → {as_words[1]}" if name.endswith("_due") else label)
    questions_follow = evaluation.questions_due is None and fields.get("questions_due") is None
    if questions_follow and "bids_due" in fields and fields["bids_due"] != evaluation.bids_due:
        new = fields["bids_due"]
        found.append(f"questions, with no day of their own, close with the bids: {new:%-d %b %Y}" if new else "")
    return [change for change in found if change]


def _sealed_count(evaluation: Evaluation) -> int:
    """Submitted bid-room responses not yet opened (scoring them unopened would leave them out)."""
    return Submission.objects.sealed().filter(candidate__evaluation=evaluation).count()


def _early_decision(evaluation: Evaluation) -> str:
    """Why moving to the decision stage now is early, in words; empty when it is not."""
    outstanding = Assignment.objects.filter(evaluation=evaluation, submitted_at__isnull=True).count()
    if outstanding:
        return f"{outstanding} scorecard{'s are' if outstanding != 1 else ' is'} not submitted"
    if evaluation.scoring_due and timezone.localdate() < evaluation.scoring_due:
        return f"Scoring is due on {evaluation.scoring_due:%d %b %Y}"
    return ""


@transaction.atomic
def criteria_update(
    *, evaluation: Evaluation, weights: dict[int, Decimal], reason: str = "", expected_version: int | None = None
) -> None:
    """Change criterion weights; once scoring has started a written reason is required.

    With ``expected_version`` (the evaluation's version when the page was opened) a change
    made meanwhile is not overwritten: ``EditConflict``. A change of weights moves the version on.
    """
    ensure_writable(evaluation)
    current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(current)
    if scoring_started(evaluation) and not reason.strip():
        raise ValidationError({"reason": "Scoring has started: say why the weights change."})
    changed = False
    for criterion in Criterion.objects.select_for_update().filter(evaluation=evaluation, pk__in=weights):
        weight = weights[criterion.pk]
        if weight < 0:
            raise ValidationError({"weights": f"The weight of {criterion.key} can't be negative."})
        if criterion.weight != weight:
            criterion.weight = weight
            criterion.full_clean()
            save_with_reason(criterion, reason=reason.strip(), update_fields=["weight"])
            changed = True
    if changed:
        check_some_weight_counts(evaluation)
        current.version += 1
        save_with_reason(current, reason=reason.strip(), update_fields=["version"])
    refresh_ranking(evaluation)
    if changed:
        announce(evaluation, "the criteria's weights", reason.strip())


def check_some_weight_counts(evaluation: Evaluation) -> None:
    """Each model the evaluation compares keeps a criterion of weight above zero: with every weight at
    zero every total is 0.00 and nothing is ranked on merit. (A package may still carry all zeros: the
    contract's rule, a total of 0.)"""
    criteria = list(Criterion.objects.filter(evaluation=evaluation))
    models = [BidModel.FULLY_MANAGED, BidModel.CO_MANAGED] if evaluation.model == Model.BOTH else [evaluation.model]
    for model in models:
        if not any(c.weight > 0 for c in criteria if c.applies(model)):
            label = BidModel(model).label.lower()
            raise ValidationError(
                {
                    "weights": f"Give at least one criterion for {label} bids a weight above zero: with all at zero every total is 0.00."
                }
            )


@transaction.atomic
def evaluators_add(*, evaluation: Evaluation, users: Iterable[AbstractBaseUser]) -> int:
    """Assign people to score. All or nothing: anyone who may not score (an auditor, an executive,
    a deactivated user) refuses the whole assignment, naming them."""
    ensure_writable(evaluation)
    users = list(users)
    refused = [why for user in users if (why := scoring_refusal(user))]
    if refused:
        raise ValidationError({"evaluators": [f"{why}." for why in refused]})
    existing = set(Assignment.objects.filter(evaluation=evaluation).values_list("evaluator_id", flat=True))
    position = len(existing)
    added = 0
    for user in users:
        if user.pk in existing:
            continue
        Assignment.objects.create(evaluation=evaluation, evaluator=user, position=position)
        position += 1
        added += 1
    return added
