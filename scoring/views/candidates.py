"""Candidates: who is invited to bid, and what became of each invitation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.concurrency import EditConflict
from scoring import selectors, services
from scoring.forms import (
    CandidateInviteForm,
    CandidateStatusForm,
)
from scoring.models import (
    Candidate,
    Evaluation,
)
from scoring.pages import candidates as pages
from scoring.rules import can
from scoring.views.access import add_errors, evaluation_view, require, require_manager, writable_or_redirect


def _candidates_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    invite_form: CandidateInviteForm | None = None,
    changed: tuple[Candidate, CandidateStatusForm] | None = None,
) -> HttpResponse:
    page = pages.candidates_page(evaluation, request.user, invite_form=invite_form, changed=changed)
    return render(request, "scoring/candidates.html", page.context())


@evaluation_view()
def candidates(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The MSPs invited to bid, whether or not they have bid; the owner invites more here."""
    if not can(request.user, "scoring.manage_evaluation", evaluation):
        # Who bid says nothing of the ranking, but evaluators see it with the results.
        require(
            request, "scoring.view_results", evaluation, "The candidates open to you once you submit your scorecard."
        )
    form = None
    if request.method == "POST":
        require_manager(request, evaluation)
        if response := writable_or_redirect(request, evaluation):
            return response
        form = CandidateInviteForm(request.POST, evaluation=evaluation)
        if form.is_valid():
            try:
                added = services.candidate_invite(
                    evaluation=evaluation, msps=form.cleaned_data["msps"], by=request.user
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"{len(added)} MSP{'s' if len(added) != 1 else ''} invited to bid.")
                return redirect("scoring:candidates", pk=evaluation.pk)
    return _candidates_page(request, evaluation, invite_form=form)


@require_POST
@evaluation_view("scoring.manage_evaluation", writable=True)
def candidate_update(request: HttpRequest, evaluation: Evaluation, candidate_pk: int) -> HttpResponse:
    candidate = selectors.candidate(evaluation, candidate_pk)
    if candidate is None:
        raise Http404("No such candidate in this evaluation.")
    form = CandidateStatusForm(request.POST, prefix=pages.status_prefix(candidate), instance=candidate)
    if form.is_valid():
        try:
            services.candidate_update(
                candidate=candidate,
                expected_version=form.expected_version,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except EditConflict as conflict:
            form.add_conflict(conflict.current)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{candidate.msp.name}: {candidate.get_status_display().lower()}.")
            return redirect("scoring:candidates", pk=evaluation.pk)
    return _candidates_page(request, evaluation, changed=(candidate, form))
