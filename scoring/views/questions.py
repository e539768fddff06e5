"""The team's own questions: added from the library or from scratch, edited and removed by the owner."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from scoring import selectors, services, tender_selectors
from scoring.forms.questions import LibraryQuestionForm, QuestionForm, RemoveQuestionForm
from scoring.models import Criterion, CriterionKind, Evaluation
from scoring.views.access import add_errors, evaluation_view


def _question(evaluation: Evaluation, criterion_pk: int) -> Criterion:
    return get_object_or_404(selectors.criteria(evaluation).filter(kind=CriterionKind.QUESTION), pk=criterion_pk)


def _render(request: HttpRequest, evaluation: Evaluation, **context: object) -> HttpResponse:
    context = {
        "evaluation": evaluation,
        "scoring_started": services.scoring_started(evaluation),
        "bid_room": tender_selectors.bid_room_counts(evaluation),
        **context,
    }
    return render(request, "scoring/question_form.html", context)


@evaluation_view("scoring.manage_evaluation", writable=True)
def question_create(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    started = services.scoring_started(evaluation)
    posted = request.POST if request.method == "POST" else None
    from_library = posted is not None and "template" in posted
    form = QuestionForm(None if from_library else posted, evaluation=evaluation, scoring_started=started, adding=True)
    library = LibraryQuestionForm(posted if from_library else None, evaluation=evaluation, scoring_started=started)
    chosen = library if from_library else form
    if posted is not None and chosen.is_valid():
        try:
            criterion = services.question_add(evaluation=evaluation, **_fields(chosen))
        except ValidationError as exc:
            add_errors(chosen, exc)
        else:
            messages.success(request, f"Question added: “{criterion.text}”.")
            return redirect("scoring:criteria", pk=evaluation.pk)
    return _render(request, evaluation, form=form, library=library)


def _fields(form: QuestionForm | LibraryQuestionForm) -> dict:
    reason = form.cleaned_data["reason"]
    if isinstance(form, QuestionForm):
        return {**form.question(), "reason": reason}
    t = form.cleaned_data["template"]
    return {"text": t.text, "category": t.category, "applies_to": t.model, "weight": t.default_weight,
            "rubric": t.rubric, "template": t, "reason": reason}  # fmt: skip


@evaluation_view("scoring.manage_evaluation", writable=True)
def question_edit(request: HttpRequest, evaluation: Evaluation, criterion_pk: int) -> HttpResponse:
    criterion = _question(evaluation, criterion_pk)
    started = services.scoring_started(evaluation)
    form = QuestionForm(
        request.POST or None,
        initial=QuestionForm.initial_for(criterion),
        evaluation=evaluation,
        scoring_started=started,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(criterion=criterion, reason=form.cleaned_data["reason"], **form.question())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Question saved.")
            return redirect("scoring:criteria", pk=evaluation.pk)
    return _render(request, evaluation, form=form, criterion=criterion)


@require_POST
@evaluation_view("scoring.manage_evaluation", writable=True)
def question_remove(request: HttpRequest, evaluation: Evaluation, criterion_pk: int) -> HttpResponse:
    criterion = _question(evaluation, criterion_pk)
    form = RemoveQuestionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.question_remove(criterion=criterion, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("scoring:question_edit", pk=evaluation.pk, criterion_pk=criterion.pk)
    messages.success(request, f"Question removed: “{criterion.text}”.")
    return redirect("scoring:criteria", pk=evaluation.pk)
