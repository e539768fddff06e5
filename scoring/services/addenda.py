"""Addenda: once MSPs are invited to the bid room, a change to the request (a deadline moved for everyone,
a question added, changed or removed, what the request publishes) is issued as a numbered addendum with
what changed and why, and every invited MSP's people get an email of their own. The services that make
such changes call ``request_changed``; the owner can also issue one by hand (a document sent to all, say).
A deadline is only ever moved for everyone: there is no other deadline than the evaluation's."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from simple_history.models import HistoricalRecords

from scoring.models import Acknowledgement, Addendum, BidOpening, Candidate, Evaluation, Invitation, Status
from scoring.services.common import enqueue
from scoring.services.locking import ensure_writable

logger = logging.getLogger(__name__)

# The evaluation's fields that are part of the request the bid room shows.
REQUEST_FIELDS = {
    "questions_due": "the day questions close",
    "bids_due": "the day bids are due",
    "model": "the models asked for",
    "request_publishes": "what the request shows of the buyer",
    "request_shows_weights": "whether the questions' weights show",
}


def bid_room_in_use(evaluation: Evaluation) -> bool:
    """Whether MSPs are invited to the bid room and their bids not yet opened: the request is theirs too."""
    return (
        evaluation.status in (Status.DRAFT, Status.COLLECTING_BIDS)
        and Invitation.objects.filter(candidate__evaluation=evaluation).exists()
        and not BidOpening.objects.filter(evaluation=evaluation).exists()
    )


def request_changed(evaluation: Evaluation, what: str, reason: str) -> Addendum | None:
    """Issue the addendum a change to the request needs while the bid room is in use (its reason required:
    every invited MSP reads it); nothing otherwise. Call inside the change's transaction."""
    if not bid_room_in_use(evaluation):
        return None
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": f"This changes the request the invited MSPs read ({what}): say why; each is sent an addendum."}
        )
    return _issue(evaluation, what, reason.strip(), _acting_person())


@transaction.atomic
def addendum_issue(*, evaluation: Evaluation, what: str, reason: str, by: AbstractBaseUser) -> Addendum:
    """An addendum issued by hand, for a change the app does not make itself (a document sent to all)."""
    ensure_writable(evaluation)
    if not bid_room_in_use(evaluation):
        raise ValidationError("Addenda go to the MSPs invited to the bid room, before their bids are opened.")
    what, reason = (what or "").strip(), (reason or "").strip()
    if not what or not reason:
        raise ValidationError({"what" if not what else "reason": "Say what changed and why."})
    return _issue(evaluation, what, reason, by)


def _issue(evaluation: Evaluation, what: str, reason: str, by: AbstractBaseUser | None) -> Addendum:
    Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()  # numbers in order
    last = Addendum.objects.filter(evaluation=evaluation).aggregate(n=Max("number"))["n"] or 0
    addendum = Addendum(evaluation=evaluation, number=last + 1, what=what[:5000], reason=reason, issued_by=by)
    addendum.full_clean()
    addendum.save()
    transaction.on_commit(lambda: _queue(addendum.pk))
    return addendum


def _acting_person() -> AbstractBaseUser | None:
    """Who is making the change: the person of the request (as the history records them), if any."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _queue(addendum_id: int) -> None:
    from scoring.tasks import mail_addendum

    enqueue(mail_addendum, addendum_id)


@transaction.atomic
def addendum_acknowledge(*, addendum: Addendum, candidate: Candidate, by: AbstractBaseUser) -> Acknowledgement:
    """The MSP says it has read the addendum (once; a second click finds the first)."""
    found = Acknowledgement.objects.filter(addendum=addendum, candidate=candidate).first()
    if found is not None:
        return found
    acknowledgement = Acknowledgement(addendum=addendum, candidate=candidate, by=by)
    acknowledgement._history_user = by
    acknowledgement.save()
    return acknowledgement
