"""Scorecards: scoring, declaring a conflict, reopening a submitted scorecard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.concurrency import EditConflict
from scoring import selectors, services
from scoring.forms import (
    ConflictForm,
    DeclarationForm,
    ReasonForm,
    ScorecardForm,
)
from scoring.models import (
    Assignment,
    Evaluation,
)
from scoring.pages import scorecard as pages
from scoring.rules import must_declare
from scoring.views.access import add_errors, evaluation_view, require

# Separated duties: assigned through old data or not, these people never score.
SCORING_REFUSED = "Auditors, executives and deactivated users never score, even when assigned."


@evaluation_view()
def scorecard(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    assignment = selectors.assignment_for(evaluation, request.user)
    if assignment is None:
        raise PermissionDenied("Only evaluators assigned to this evaluation have a scorecard.")
    require(request, "scoring.score_evaluation", evaluation, SCORING_REFUSED)
    slots, existing = services.scorecard_slots(assignment), selectors.scores_by_slot(assignment)
    version = services.scorecard_version(existing.values())
    form = ScorecardForm(request.POST or None, slots=slots, existing=existing, version=version)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.scorecard_save(
                assignment=assignment,
                entries=form.entries(),
                submit=submit,
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict:
            form.add_conflict(existing, version)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if submit:
                messages.success(request, "Scorecard submitted. The ranking and prices are now open to you.")
                return redirect(evaluation)
            messages.success(request, "Draft saved. Drafts don't count until you submit.")
            return redirect("scoring:scorecard", pk=evaluation.pk)
    page = pages.scorecard_page(evaluation, request.user, assignment, form)
    return render(request, "scoring/scorecard.html", page.context())


@require_POST
@evaluation_view(before_declaration=True)
def conflict_declare(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    assignment = selectors.assignment_for(evaluation, request.user)
    if assignment is None:
        raise PermissionDenied("Only evaluators assigned to this evaluation declare conflicts on it.")
    require(request, "scoring.score_evaluation", evaluation, SCORING_REFUSED)
    declared = set(selectors.declared_conflicts(evaluation, request.user).values_list("msp_id", flat=True))
    form = ConflictForm(request.POST, evaluation=evaluation, declared=declared)
    if form.is_valid():
        try:
            services.conflict_declare(assignment=assignment, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Conflict with {form.cleaned_data['msp'].name} declared; the owner has been told."
            )
    else:
        messages.error(request, "Choose the MSP you have a conflict with.")
    # Declared before signing the declaration: back to it.
    return redirect(
        "scoring:declaration" if must_declare.test(request.user, evaluation) else "scoring:scorecard", pk=evaluation.pk
    )


@require_POST
@evaluation_view("scoring.manage_evaluation")
def scorecard_reopen(request: HttpRequest, evaluation: Evaluation, assignment_pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment, pk=assignment_pk, evaluation=evaluation)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason to reopen a scorecard: it is kept in the history.")
        return redirect(evaluation)
    try:
        services.scorecard_reopen(assignment=assignment, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Scorecard of {assignment.evaluator} reopened; its scores no longer count.")
    return redirect(evaluation)


@evaluation_view(before_declaration=True)
def declaration(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The evaluators' declaration: read, declare any conflict, sign; then on to the scorecard."""
    assignment = selectors.assignment_for(evaluation, request.user)
    if assignment is None:
        raise PermissionDenied("Only the evaluators assigned to this evaluation sign its declaration.")
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_sign(assignment=assignment, signed_name=form.cleaned_data["signed_name"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Declaration signed. The bids are open to you; your scorecard is below.")
            return redirect("scoring:scorecard", pk=evaluation.pk)
    return render(request, "scoring/declaration.html", pages.declaration_page(evaluation, assignment, form).context())
