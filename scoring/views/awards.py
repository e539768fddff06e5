"""The award and the record an auditor checks: proposal, approval, unlock, letters, as-of, evidence.

Objects are fetched scoped to the user (``views._evaluation``): a guessed id is
404. Reading the award record needs ``scoring.export_package`` (owner,
executives, auditors, admins); acting needs the permission of each step.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from scoring import selectors, services
from scoring.forms import AsOfForm, AwardDecisionForm, AwardProposalForm, ReasonForm
from scoring.models import (
    Award,
    Evaluation,
)
from scoring.pages import award as pages
from scoring.views.access import download_name, evaluation_view
from scoring.views.history import history_rows

# The award record carries every evaluator's scores: the owner, executives, auditors and admins read it.
record_view = evaluation_view(
    "scoring.export_package",
    message="The award record carries every evaluator's scores: only the owner, executives, auditors and admins "
    "read it, and not while they are scoring it themselves.",
)


@record_view
def award_page(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    page = pages.award_page(evaluation, request.user)
    return render(request, "scoring/award.html", page.context())


def _act(request: HttpRequest, evaluation: Evaluation, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("scoring:award", evaluation.pk)


@require_POST
@evaluation_view("scoring.propose_award")
def award_propose(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    form = AwardProposalForm(request.POST, ranked_bids=pages.ranked_bids(evaluation))
    if not form.is_valid():
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        messages.error(request, "The proposal was not saved. " + " ".join(problems))
        return redirect("scoring:award", evaluation.pk)
    return _act(
        request,
        evaluation,
        lambda: services.award_propose(
            evaluation=evaluation,
            bid=form.cleaned_data["bid"],
            rationale=form.cleaned_data["rationale"],
            by=request.user,
        ),
        f"Award to {form.cleaned_data['bid'].vendor_name} proposed: an executive who did not score decides on it.",
    )


@require_POST
@evaluation_view(
    "scoring.decide_award", message="Only an active executive who did not score this evaluation decides on its award."
)
def award_decide(request: HttpRequest, evaluation: Evaluation, award_pk: int) -> HttpResponse:
    award = get_object_or_404(Award, pk=award_pk, evaluation=evaluation)
    form = AwardDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to approve or to reject the proposal.")
        return redirect("scoring:award", evaluation.pk)
    approve = form.cleaned_data["decision"] == "approve"
    return _act(
        request,
        evaluation,
        lambda: services.award_decide(
            award=award, approve=approve, comment=form.cleaned_data["comment"], by=request.user
        ),
        "Award approved: the evaluation is awarded and locked." if approve else "Proposal rejected.",
    )


@require_POST
@evaluation_view("scoring.unlock_evaluation")
def evaluation_unlock(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the evaluation is unlocked: it is kept in the history.")
        return redirect("scoring:award", evaluation.pk)
    return _act(
        request,
        evaluation,
        lambda: services.evaluation_unlock(evaluation=evaluation, reason=form.cleaned_data["reason"], by=request.user),
        "Unlocked: the evaluation is back at the decision stage.",
    )


# --- Letters -----------------------------------------------------------------------------------


def _awarded(evaluation: Evaluation) -> Award:
    approved = selectors.approved_award(evaluation)
    if approved is None:
        raise Http404("This evaluation has no approved award, so no letters.")
    return approved


@record_view
def award_letter(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    approved = _awarded(evaluation)
    row = next(r for r in approved.ranking_document["ranking"] if r["vendor"] == approved.bid.vendor_name)
    return render(
        request,
        "scoring/award_letter.html",
        {
            "evaluation": evaluation,
            "award": approved,
            "row": row,
            "today": timezone.localdate(),
            **pages.as_at_lock(evaluation, approved.bid),
        },
    )


@record_view
def debrief_letter(request: HttpRequest, evaluation: Evaluation, bid_pk: int) -> HttpResponse:
    """A letter to an MSP not chosen: its own rank and results by category, never another MSP's."""
    approved = _awarded(evaluation)
    bid = get_object_or_404(selectors.bids(evaluation), pk=bid_pk)
    if bid.pk == approved.bid_id:
        return redirect("scoring:award_letter", evaluation.pk)
    row = next((r for r in approved.ranking_document["ranking"] if r["vendor"] == bid.vendor_name), None)
    if row is None:
        raise Http404("That bid was not in the ranking the award was decided on.")
    return render(request, "scoring/debrief_letter.html", pages.debrief(evaluation, approved, bid, row))


# --- The ranking as it stood -------------------------------------------------------------------


@record_view
def ranking_as_of(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The ranking rebuilt from the history at a past moment, beside today's."""
    page = pages.ranking_as_of(evaluation, AsOfForm(request.GET or None))
    return render(request, "scoring/ranking_as_of.html", page.context())


# --- Evidence ----------------------------------------------------------------------------------


@record_view
def evidence_zip(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """One download for the file: package, ranking, history, conflicts of interest, award with its digest."""
    # Spooled: kept in memory up to 16 MB, on disk beyond (the bids' files are in it).
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    pages.evidence_archive(evaluation, history_rows(evaluation), out, request.user)
    out.seek(0)
    filename = download_name(evaluation, "evidence.zip")
    return FileResponse(out, as_attachment=True, filename=filename, content_type="application/zip")
