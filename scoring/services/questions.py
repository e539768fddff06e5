"""The team's own questions: added to one evaluation (from the library or written from scratch), edited
or removed. Before scoring they change freely; once scoring has started a change needs a reason and the
evaluators are told (``changes``). The price criterion is the ranking's own and is not a question."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from scoring.models import AppliesTo, Criterion, CriterionKind, Evaluation, QuestionTemplate
from scoring.results import refresh_ranking
from scoring.services.addenda import request_changed
from scoring.services.changes import announce, explained
from scoring.services.common import save_with_reason
from scoring.services.evaluations import check_some_weight_counts
from scoring.services.locking import ensure_writable

QUESTION_FIELDS = ("text", "category", "applies_to", "weight", "rubric")
MAX_KEY = 100


def _fits(evaluation: Evaluation, applies_to: str) -> None:
    """A question for a model the evaluation does not compare would never be scored."""
    if applies_to != AppliesTo.ALL and not evaluation.allows_bid_model(applies_to):
        compared = evaluation.get_model_display().lower()
        raise ValidationError({"applies_to": f"This evaluation compares {compared} bids only."})


def _rubric(rubric: list[str]) -> list[str]:
    lines = [str(line).strip() for line in rubric or []]
    if not any(lines):
        return []
    if len(lines) != 6 or not all(lines):
        raise ValidationError({"rubric": "Say what each score from 0 to 5 means, or leave the whole rubric empty."})
    return lines


def _free_key(evaluation: Evaluation, text: str, wanted: str = "") -> str:
    """A slug for the package: the library's key when it is free, else one made from the wording."""
    taken = set(Criterion.objects.filter(evaluation=evaluation).values_list("key", flat=True))
    base = (wanted or f"own-{slugify(text)[:60].strip('-') or 'question'}")[: MAX_KEY - 4]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _versioned(evaluation: Evaluation, reason: str) -> None:
    """The evaluation's version moves on (an open criteria page is then out of date) and the ranking is
    refreshed in the same transaction."""
    current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    current.version += 1
    save_with_reason(current, reason=reason, update_fields=["version"])
    check_some_weight_counts(evaluation)
    refresh_ranking(evaluation)


@transaction.atomic
def question_add(
    *,
    evaluation: Evaluation,
    text: str,
    category: str,
    applies_to: str,
    weight: Decimal,
    rubric: list[str] | None = None,
    reason: str = "",
    template: QuestionTemplate | None = None,
) -> Criterion:
    """Add a question of the team's own to ``evaluation`` (``template``: the library question it copies,
    whose key it keeps when free). Placed before the price criterion."""
    ensure_writable(evaluation)
    reason = explained(evaluation, reason, "the questions")
    _fits(evaluation, applies_to)
    last = Criterion.objects.filter(evaluation=evaluation, kind=CriterionKind.QUESTION).aggregate(m=Max("position"))
    position = (last["m"] if last["m"] is not None else -1) + 1
    for price in Criterion.objects.filter(evaluation=evaluation, kind=CriterionKind.PRICE, position__lte=position):
        price.position = position + 1
        save_with_reason(price, reason=reason, update_fields=["position"])
    criterion = Criterion(
        evaluation=evaluation,
        key=_free_key(evaluation, text, template.key if template else ""),
        kind=CriterionKind.QUESTION,
        text=text.strip(),
        category=category.strip(),
        applies_to=applies_to,
        weight=weight,
        rubric=_rubric(rubric or []),
        position=position,
    )
    criterion.full_clean()
    save_with_reason(criterion, reason=reason)
    _versioned(evaluation, reason)
    request_changed(evaluation, f"a question added: “{criterion.text}”", reason)
    announce(evaluation, f"a new question, “{criterion.text}”", reason)
    return criterion


@transaction.atomic
def question_update(*, criterion: Criterion, reason: str = "", **fields: object) -> Criterion:
    """Change a question's wording, rubric, category, model or weight."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    evaluation = criterion.evaluation
    ensure_writable(evaluation)
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    if criterion.kind != CriterionKind.QUESTION:
        raise ValidationError("The price criterion is computed from the TCO: only its weight changes.")
    if "rubric" in fields:
        fields["rubric"] = _rubric(fields["rubric"])  # type: ignore[arg-type]
    for name in ("text", "category"):
        if name in fields:
            fields[name] = str(fields[name]).strip()
    changed = [name for name, value in fields.items() if getattr(criterion, name) != value]
    if not changed:
        return criterion
    reason = explained(evaluation, reason, "a question")
    if "applies_to" in changed:
        _fits(evaluation, str(fields["applies_to"]))
        if criterion.scores.exists():
            raise ValidationError(
                {"applies_to": "Evaluators have scored this question: add a new question for the other model instead."}
            )
    for name in changed:
        setattr(criterion, name, fields[name])
    criterion.full_clean()
    save_with_reason(criterion, reason=reason, update_fields=changed)
    _versioned(evaluation, reason)
    request_changed(evaluation, f"the question “{criterion.text}” changed", reason)
    announce(evaluation, f"the question “{criterion.text}”", reason)
    return criterion


@transaction.atomic
def question_remove(*, criterion: Criterion, reason: str = "") -> None:
    """Take a question out of the evaluation. One already scored or answered stays (the scores and answers
    are evidence): its weight goes to 0 instead, which the refusal says."""
    evaluation = criterion.evaluation
    ensure_writable(evaluation)
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    if criterion.kind != CriterionKind.QUESTION:
        raise ValidationError("The price criterion can't be removed: give it a weight of 0 to leave price out.")
    reason = explained(evaluation, reason, "the questions")
    if criterion.scores.exists() or criterion.answers.exists():
        raise ValidationError(
            "This question has been scored or answered in writing, and that stays on the record: "
            "give it a weight of 0 to leave it out of the totals."
        )
    text = criterion.text
    criterion._change_reason = reason
    criterion.delete()  # one row through the model: the history keeps it, with the reason
    _versioned(evaluation, reason)
    request_changed(evaluation, f"the question “{text}” removed", reason)
    announce(evaluation, f"the question “{text}” removed", reason)
