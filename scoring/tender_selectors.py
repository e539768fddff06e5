"""Reads of the tender for the buyer's pages: who was invited to the bid room, and what the record may
show of each sealed submission before opening (its time and receipt digest; the content is never read
here, so no page built from these can show it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from scoring.models import (
    Acknowledgement,
    Addendum,
    Bid,
    BidAnswer,
    BidOpening,
    Candidate,
    Clarification,
    Criterion,
    Evaluation,
    Invitation,
    Submission,
    SubmissionState,
)
from vendors.models import Contact


def invitations_by_candidate(evaluation: Evaluation) -> dict[int, list[Invitation]]:
    found: dict[int, list[Invitation]] = defaultdict(list)
    for invitation in Invitation.objects.filter(candidate__evaluation=evaluation).select_related(
        "account__contact", "account__user"
    ):
        found[invitation.candidate_id].append(invitation)
    return found


def receipts(evaluation: Evaluation) -> dict[int, Submission]:
    """Each candidate's submitted (or opened) response: its time and receipt digest only."""
    rows = Submission.objects.filter(candidate__evaluation=evaluation, state=SubmissionState.SUBMITTED).only(
        "pk", "candidate_id", "state", "submitted_at", "sha256", "bid_id"
    )
    return {row.candidate_id: row for row in rows}


def opening(evaluation: Evaluation) -> BidOpening | None:
    return BidOpening.objects.filter(evaluation=evaluation).select_related("opened_by").first()


def invitable_contacts(candidate: Candidate) -> QuerySet[Contact]:
    """The MSP's active contacts with an email address (the bid room mails each its own link)."""
    return Contact.objects.filter(msp_id=candidate.msp_id, active=True).exclude(email="")


def invitable_contacts_by_msp(evaluation: Evaluation) -> dict[int, list[Contact]]:
    """``invitable_contacts`` of every candidate of the evaluation not invited yet, in one query, by MSP."""
    found: dict[int, list[Contact]] = defaultdict(list)
    invited = Invitation.objects.filter(candidate__evaluation=evaluation).values("account__contact_id")
    found_contacts = Contact.objects.filter(msp__candidacies__evaluation=evaluation, active=True).exclude(email="")
    for contact in found_contacts.exclude(pk__in=invited):
        found[contact.msp_id].append(contact)
    return found


def invitation(evaluation: Evaluation, pk: int) -> Invitation | None:
    return Invitation.objects.filter(candidate__evaluation=evaluation, pk=pk).select_related("account__user").first()


def answers(evaluation: Evaluation) -> dict[tuple[int, int], str]:
    """The opened bids' written answers, by (bid, criterion)."""
    rows = BidAnswer.objects.filter(bid__evaluation=evaluation).values_list("bid_id", "criterion_id", "text")
    return {(bid_id, criterion_id): text for bid_id, criterion_id, text in rows}


@dataclass
class Arrival:
    """How a bid reached the buyer: submitted in the bid room (by whom, when, with its receipt), or typed
    in by hand (said only where the evaluation has a bid room)."""

    through_bid_room: bool
    by: object = None
    at: datetime | None = None
    sha256: str = ""
    by_hand_beside_bid_room: bool = False


def arrival(bid: Bid) -> Arrival:
    submission = Submission.objects.filter(bid=bid).select_related("submitted_by").first()
    if submission is not None:
        return Arrival(True, submission.submitted_by, submission.submitted_at, submission.sha256)
    beside = Invitation.objects.filter(candidate__evaluation_id=bid.evaluation_id).exists()
    return Arrival(False, by_hand_beside_bid_room=beside)


def bid_answers(bid: Bid) -> list[tuple[Criterion, str]]:
    return [(a.criterion, a.text) for a in BidAnswer.objects.filter(bid=bid).select_related("criterion")]


def bid_room_counts(evaluation: Evaluation) -> dict[str, int]:
    """How many MSPs have people in the bid room, and how many of their bids are sealed (for warnings)."""
    invited = Invitation.objects.filter(candidate__evaluation=evaluation).values("candidate_id").distinct().count()
    sealed = Submission.objects.sealed().filter(candidate__evaluation=evaluation).count()
    return {"invited": invited, "sealed": sealed}


def clarifications(evaluation: Evaluation) -> list[Clarification]:
    """Every question asked in the bid room, with who asked (the buyer's side sees it), oldest first."""
    return list(
        Clarification.objects.filter(evaluation=evaluation).select_related("candidate__msp", "asked_by", "answered_by")
    )


def clarification(evaluation: Evaluation, pk: int) -> Clarification | None:
    return Clarification.objects.filter(evaluation=evaluation, pk=pk).first()


@dataclass
class AddendumRow:
    addendum: Addendum
    read_by: list[str]  # the MSPs that acknowledged it
    unread_by: list[str]  # the invited MSPs that have not yet


def addenda(evaluation: Evaluation) -> list[AddendumRow]:
    """Each addendum with which still-invited MSPs have acknowledged it and which not (three queries)."""
    found = list(Addendum.objects.filter(evaluation=evaluation).select_related("issued_by"))
    invited = dict(
        Invitation.objects.filter(candidate__evaluation=evaluation, candidate__status="invited")
        .values_list("candidate_id", "candidate__msp__name")
        .distinct()
    )
    read: dict[int, dict[int, str]] = defaultdict(dict)
    acknowledgements = Acknowledgement.objects.filter(addendum__evaluation=evaluation).select_related("by")
    for ack in acknowledgements:
        who = ack.by.get_full_name() or ack.by.get_username()
        at = timezone.localtime(ack.at)
        read[ack.addendum_id][ack.candidate_id] = f"{invited.get(ack.candidate_id, '?')} ({who}, {at:%-d %b %H:%M})"
    return [
        AddendumRow(
            addendum=a,
            read_by=sorted(read[a.pk].values()),
            unread_by=sorted(name for c, name in invited.items() if c not in read[a.pk]),
        )
        for a in found
    ]


def addendum_count(evaluation: Evaluation) -> int:
    return Addendum.objects.filter(evaluation=evaluation).count()
