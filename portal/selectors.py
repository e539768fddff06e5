"""What a person of a bidding MSP may see: their own invitations, and through each its evaluation's
request and their own company's response. Nothing of another bidder, not even how many there are."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from scoring.models import (
    Acknowledgement,
    Addendum,
    Bid,
    Clarification,
    Criterion,
    CriterionKind,
    Invitation,
    Requirement,
    Submission,
    SubmissionDocument,
    TenderEvent,
    TenderEventKind,
    Visibility,
)


def invitations(user: AbstractBaseUser) -> QuerySet[Invitation]:
    """The person's invitations, newest first, with their evaluation and MSP: none once their account is
    deactivated or they are no longer an active contact of their MSP in the registry."""
    return (
        Invitation.objects.filter(account__user=user, account__user__is_active=True, account__contact__active=True)
        .select_related("candidate__evaluation", "candidate__msp", "account__contact")
        .order_by("-invited_at", "-pk")
    )


def invitation(user: AbstractBaseUser, pk: int) -> Invitation:
    """One of the person's invitations; 404 for any other id (never someone else's)."""
    found = invitations(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such invitation.")
    return found


def questions(invitation: Invitation) -> list[Criterion]:
    """The questions the MSP answers: those of the evaluation (every model it compares)."""
    evaluation = invitation.candidate.evaluation
    return list(Criterion.objects.filter(evaluation=evaluation, kind=CriterionKind.QUESTION))


def requirements(invitation: Invitation) -> list[Requirement]:
    return list(Requirement.objects.filter(evaluation=invitation.candidate.evaluation))


def own_bid(invitation: Invitation) -> Bid | None:
    """The bid of the person's own company in this evaluation, once there is one (opened, or entered)."""
    candidate = invitation.candidate
    return Bid.objects.filter(evaluation_id=candidate.evaluation_id, msp_id=candidate.msp_id).first()


def own_document(invitation: Invitation, pk: int) -> SubmissionDocument:
    """A file of the person's own company's response (any version); 404 for any other id."""
    found = SubmissionDocument.objects.filter(pk=pk, submission__candidate_id=invitation.candidate_id).first()
    if found is None:
        raise Http404("No such file in your response.")
    return found


def clarifications(invitation: Invitation) -> tuple[list[Clarification], list[Clarification]]:
    """(the published answers, in their order; the company's own questions still open or answered to it
    alone). Never who asked a published one, nor another company's private one."""
    evaluation_id = invitation.candidate.evaluation_id
    published = list(
        Clarification.objects.filter(evaluation_id=evaluation_id, visibility=Visibility.PUBLISHED)
        .only("number", "question", "answer", "answered_at", "candidate_id")
        .order_by("number")
    )
    for clarification in published:  # the asker's own page may say so; nobody else's does
        clarification.asked_by_you = clarification.candidate_id == invitation.candidate_id
    own = list(
        Clarification.objects.filter(evaluation_id=evaluation_id, candidate_id=invitation.candidate_id)
        .exclude(visibility=Visibility.PUBLISHED)
        .order_by("asked_at", "pk")
    )
    return published, own


def decline_reason(invitation: Invitation) -> str:
    """What the MSP said when it declined (its own words, never the buyer's note on the candidate)."""
    event = (
        TenderEvent.objects.filter(candidate_id=invitation.candidate_id, kind=TenderEventKind.DECLINED)
        .order_by("-at", "-pk")
        .first()
    )
    return event.note if event else ""


def addenda(invitation: Invitation) -> list[Addendum]:
    """The evaluation's addenda, each with ``read`` (the company acknowledged it) and ``after_submission``
    (the company's current bid was submitted before it: it may need resubmitting)."""
    candidate = invitation.candidate
    found = list(Addendum.objects.filter(evaluation_id=candidate.evaluation_id).order_by("number"))
    read = set(Acknowledgement.objects.filter(candidate=candidate).values_list("addendum_id", flat=True))
    submitted = (
        Submission.objects.filter(candidate=candidate, state="submitted").values_list("submitted_at", flat=True).first()
    )
    for addendum in found:
        addendum.read = addendum.pk in read
        addendum.after_submission = submitted is not None and submitted < addendum.issued_at
    return found


def addendum(invitation: Invitation, pk: int) -> Addendum:
    found = Addendum.objects.filter(evaluation_id=invitation.candidate.evaluation_id, pk=pk).first()
    if found is None:
        raise Http404("No such addendum.")
    return found
