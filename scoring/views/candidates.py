"""Candidates: who is invited to bid, and what became of each invitation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from evaluator.concurrency import EditConflict
from scoring import selectors, services
from scoring.forms import (
    CandidateInviteForm,
    CandidateStatusForm,
)
from scoring.models import (
    Candidate,
    Evaluation,
)
from scoring.rules import can
from scoring.views.access import add_errors, evaluation_view, require, require_manager, writable_or_redirect
from vendors.models import MSP


def _candidate_status_prefix(candidate: Candidate) -> str:
    return f"candidate-{candidate.pk}"


def _candidates_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    invite_form: CandidateInviteForm | None = None,
    changed: tuple[Candidate, CandidateStatusForm] | None = None,
) -> HttpResponse:
    """The candidates with their status and whether their bid arrived; the owner's forms while it is open."""
    editable = can(request.user, "scoring.manage_evaluation", evaluation) and not evaluation.is_locked
    found = list(selectors.candidates(evaluation))
    if (locked_at := services.lock_moment(evaluation)) is not None:
        # A locked evaluation names its candidates as the registry did at the lock.
        then = selectors.as_of(MSP, {c.msp_id for c in found}, locked_at)
        for candidate in found:
            candidate.msp = then.get(candidate.msp_id, candidate.msp)
    status_forms: dict[int, CandidateStatusForm] = {}
    if editable:
        invite_form = invite_form or CandidateInviteForm(evaluation=evaluation)
        status_forms = {c.pk: CandidateStatusForm(prefix=_candidate_status_prefix(c), instance=c) for c in found}
        if changed is not None:
            status_forms[changed[0].pk] = changed[1]
    return render(
        request,
        "scoring/candidates.html",
        {
            "evaluation": evaluation,
            "candidates": [(c, status_forms.get(c.pk)) for c in found],
            "bid_count": sum(1 for c in found if c.bid_id is not None),
            "editable": editable,
            "invite_form": invite_form if editable else None,
            "open_form": changed[0].pk if changed else None,
        },
    )


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
    candidate = get_object_or_404(
        Candidate.objects.select_related("msp", "evaluation"), pk=candidate_pk, evaluation=evaluation
    )
    form = CandidateStatusForm(request.POST, prefix=_candidate_status_prefix(candidate), instance=candidate)
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
