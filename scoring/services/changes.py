"""Material changes: once scoring has started, a change that can move the ranking is explained on the
record and the evaluators are told of it. One place for the rule: the services that make such changes
(a bid's terms, the evaluation's sealed prices, buyer's numbers and red-flag policy, a bid entered late,
the decision stage reached early) call it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from scoring import signals
from scoring.models import Evaluation, Score, Status

# The evaluation's fields whose change moves the ranking or what evaluators see.
MATERIAL_EVALUATION_FIELDS = {
    "model": "the models compared",
    "term_months": "the TCO horizon",
    "red_flag_policy": "the red-flag policy",
    "red_flag_penalty": "the red-flag penalty",
    "sealed_prices": "sealed prices",
    "monthly_budget": "the monthly budget",
    "employees": "the buyer's employees",
    "devices": "the buyer's devices",
    "it_staff": "the buyer's IT staff",
    "it_staff_annual_cost": "the buyer's internal IT cost",
}


def scoring_started(evaluation: Evaluation) -> bool:
    return (
        evaluation.status in (Status.SCORING, Status.DECISION)
        or Score.objects.filter(bid__evaluation=evaluation).exists()
    )


def explained(evaluation: Evaluation, reason: str, what: str, *, needed: bool | None = None) -> str:
    """The reason for a change of ``what``: required once scoring has started (or when ``needed``)."""
    reason = (reason or "").strip()
    if (scoring_started(evaluation) if needed is None else needed) and not reason:
        raise ValidationError({"reason": f"Say why {what} changes: scoring has started, and the evaluators are told."})
    return reason


def announce(evaluation: Evaluation, what: str, reason: str) -> None:
    """Tell the evaluators of a material change, once it is committed (the reminders app mails them)."""
    if scoring_started(evaluation):
        transaction.on_commit(
            lambda: signals.material_change.send(sender=Evaluation, evaluation=evaluation, what=what, reason=reason)
        )
