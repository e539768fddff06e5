"""Talking to bidders from the buyer's side: every question asked in the bid room, with who asked, and the
owner's answer, published to all or private; the addenda issued, and who has acknowledged each."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from scoring import services, tender_selectors
from scoring.forms.tenders import AddendumForm, ClarificationAnswerForm
from scoring.models import Evaluation
from scoring.rules import can
from scoring.views.access import add_errors, evaluation_view, require, writable_or_redirect

READERS = "Clarifications are read by the evaluation's owner, executives, auditors and admins."


def _clarifications_page(
    request: HttpRequest, evaluation: Evaluation, refused: ClarificationAnswerForm | None = None, status: int = 200
) -> HttpResponse:
    """Every question with its answer or, for the owner, the form to answer it (``refused``: the one the
    request sent, with its words and errors)."""
    answering = can(request.user, "scoring.manage_evaluation", evaluation) and not evaluation.is_locked
    rows = []
    for c in tender_selectors.clarifications(evaluation):
        form = None
        if answering and not c.is_answered:
            form = refused if refused is not None and refused.prefix == f"c{c.pk}" else None
            form = form or ClarificationAnswerForm(prefix=f"c{c.pk}")
        rows.append((c, form))
    return render(request, "scoring/clarifications.html", {"evaluation": evaluation, "rows": rows}, status=status)


@evaluation_view("scoring.export_package", message=READERS)
def clarifications(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    return _clarifications_page(request, evaluation)


@require_POST
@evaluation_view("scoring.manage_evaluation", writable=True)
def clarification_answer(request: HttpRequest, evaluation: Evaluation, clarification_pk: int) -> HttpResponse:
    clarification = tender_selectors.clarification(evaluation, clarification_pk)
    if clarification is None:
        raise Http404("No such question in this evaluation.")
    form = ClarificationAnswerForm(request.POST, prefix=f"c{clarification.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.clarification_answer(
                clarification=clarification, by=request.user, answer=data["answer"], publish=form.publish,
                reason=data["reason"],
            )  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            told = "every invited MSP" if form.publish else clarification.candidate.msp.name
            messages.success(request, f"Answered; {told} is told by email.")
            return redirect("scoring:clarifications", pk=evaluation.pk)
    return _clarifications_page(request, evaluation, refused=form, status=400)


@evaluation_view("scoring.export_package", message=READERS)
def addenda(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The addenda issued to the bid room, who has acknowledged each; the owner issues one by hand here."""
    issuing = can(request.user, "scoring.manage_evaluation", evaluation) and services.bid_room_in_use(evaluation)
    form = AddendumForm(request.POST or None) if issuing else None
    if request.method == "POST":
        require(request, "scoring.manage_evaluation", evaluation)
        if response := writable_or_redirect(request, evaluation):
            return response
        if form is not None and form.is_valid():
            try:
                addendum = services.addendum_issue(evaluation=evaluation, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"Addendum {addendum.number} issued: every invited MSP is told by email.")
                return redirect("scoring:addenda", pk=evaluation.pk)
    rows = tender_selectors.addenda(evaluation)
    return render(request, "scoring/addenda.html", {"evaluation": evaluation, "rows": rows, "form": form})
