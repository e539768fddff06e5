"""Clarifications from the buyer's side: every question asked in the bid room, with who asked, and the
owner's answer, published to all or private."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from scoring import services, tender_selectors
from scoring.forms.tenders import ClarificationAnswerForm
from scoring.models import Evaluation
from scoring.rules import can
from scoring.views.access import evaluation_view

READERS = "Clarifications are read by the evaluation's owner, executives, auditors and admins."


@evaluation_view("scoring.export_package", message=READERS)
def clarifications(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    answering = can(request.user, "scoring.manage_evaluation", evaluation) and not evaluation.is_locked
    rows = [
        (c, ClarificationAnswerForm(prefix=f"c{c.pk}") if answering and not c.is_answered else None)
        for c in tender_selectors.clarifications(evaluation)
    ]
    return render(request, "scoring/clarifications.html", {"evaluation": evaluation, "rows": rows})


@require_POST
@evaluation_view("scoring.manage_evaluation", writable=True)
def clarification_answer(request: HttpRequest, evaluation: Evaluation, clarification_pk: int) -> HttpResponse:
    clarification = tender_selectors.clarification(evaluation, clarification_pk)
    if clarification is None:
        raise Http404("No such question in this evaluation.")
    form = ClarificationAnswerForm(request.POST, prefix=f"c{clarification.pk}")
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        services.clarification_answer(
            clarification=clarification, by=request.user, answer=data["answer"], publish=form.publish,
            reason=data["reason"],
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, "Not answered: " + " ".join(exc.messages))
    else:
        told = "every invited MSP" if form.publish else clarification.candidate.msp.name
        messages.success(request, f"Answered; {told} is told by email.")
    return redirect("scoring:clarifications", pk=evaluation.pk)
