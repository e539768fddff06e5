"""The owner's side of the tender: inviting an MSP's people to the bid room, mailing a link again, and
opening the sealed bids after the close."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from scoring import selectors, services, tender_selectors
from scoring.forms.responses import validated
from scoring.forms.tenders import BidRoomInviteForm
from scoring.models import Evaluation
from scoring.views.access import evaluation_view


@require_POST
@evaluation_view("scoring.manage_evaluation", writable=True)
def bid_room_invite(request: HttpRequest, evaluation: Evaluation, candidate_pk: int) -> HttpResponse:
    candidate = selectors.candidate(evaluation, candidate_pk)
    if candidate is None:
        raise Http404("No such candidate in this evaluation.")
    form = BidRoomInviteForm(request.POST, candidate=candidate, prefix=f"bid-room-{candidate.pk}")
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        added = services.bid_room_invite(candidate=candidate, contacts=form.cleaned_data["contacts"], by=request.user)
    except ValidationError as exc:
        messages.error(request, f"{candidate.msp.name}: nobody invited. " + " ".join(exc.messages))
    else:
        people = f"{len(added)} {'person' if len(added) == 1 else 'people'}"
        if added:
            messages.success(
                request, f"{candidate.msp.name}: {people} invited to the bid room, each by their own email."
            )
        else:
            messages.info(request, f"{candidate.msp.name}: everyone chosen was invited already.")
    return redirect("scoring:candidates", pk=evaluation.pk)


@require_POST
@evaluation_view("scoring.manage_evaluation", writable=True)
def bid_room_resend(request: HttpRequest, evaluation: Evaluation, invitation_pk: int) -> HttpResponse:
    invitation = tender_selectors.invitation(evaluation, invitation_pk)
    if invitation is None:
        raise Http404("No such invitation in this evaluation.")
    try:
        services.bid_room_resend(invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        person = invitation.account.user
        link = "a link to sign in" if person.has_usable_password() else "a new link to set a password"
        messages.success(request, f"The invitation goes again to {person.email}, with {link}.")
    return redirect("scoring:candidates", pk=evaluation.pk)


@require_POST
@evaluation_view("scoring.manage_evaluation", writable=True)
def bids_open(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    try:
        opening = services.bids_open(
            evaluation=evaluation, by=request.user, terms_of=lambda s: validated(s.candidate, s).terms()
        )
    except ValidationError as exc:
        messages.error(request, "The bids were not opened: " + " ".join(exc.messages))
        return redirect("scoring:candidates", pk=evaluation.pk)
    count = len(opening.opened)
    opened = f"{count} sealed bid{'s were' if count != 1 else ' was'} opened"
    messages.success(request, f"{opened}: the evaluation's bids now include {'them' if count != 1 else 'it'}.")
    return redirect(evaluation)
