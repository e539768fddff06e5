"""The candidates page: who is invited to bid, what became of each invitation, the owner's forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from scoring import selectors, services, tender_selectors
from scoring.forms import CandidateInviteForm, CandidateStatusForm
from scoring.models import BidOpening, Candidate, Evaluation, Invitation, Submission, bids_close_at
from scoring.pages.page import Page
from scoring.rules import can
from vendors.models import MSP, Contact


def status_prefix(candidate: Candidate) -> str:
    """The prefix of a candidate's status form: one form per row on the page."""
    return f"candidate-{candidate.pk}"


@dataclass
class CandidateRow:
    candidate: Candidate
    form: CandidateStatusForm | None  # its status form, if editable
    invitations: list[Invitation]  # its people in the bid room
    receipt: Submission | None  # its sealed (or opened) submission: time and digest only
    contacts: list[Contact] | None  # whom the owner may invite to the bid room (None: no inviting now)


@dataclass
class CandidatesPage(Page):
    evaluation: Evaluation
    candidates: list[CandidateRow]
    opening: BidOpening | None
    sealed_count: int
    closes_at: datetime | None
    can_open: bool
    bid_count: int
    editable: bool
    invite_form: CandidateInviteForm | None
    open_form: int | None  # the candidate whose form is shown open (its change was refused)


def _as_at_lock(evaluation: Evaluation, found: list[Candidate]) -> None:
    """A locked evaluation names its candidates as the registry did at the lock."""
    if (locked_at := services.lock_moment(evaluation)) is not None:
        then = selectors.as_of(MSP, {c.msp_id for c in found}, locked_at)
        for candidate in found:
            candidate.msp = then.get(candidate.msp_id, candidate.msp)


def _status_forms(
    found: list[Candidate], changed: tuple[Candidate, CandidateStatusForm] | None
) -> dict[int, CandidateStatusForm]:
    """Each candidate's status form; the refused one as the request bound it."""
    forms = {c.pk: CandidateStatusForm(prefix=status_prefix(c), instance=c) for c in found}
    if changed is not None:
        forms[changed[0].pk] = changed[1]
    return forms


def _rows(
    evaluation: Evaluation, found: list[Candidate], status_forms: dict[int, CandidateStatusForm], *, inviting: bool
) -> tuple[list[CandidateRow], dict[int, Submission]]:
    """The rows with their bid-room people and receipts; whom the owner may invite while bids are open
    (an invited candidate with no bid recorded)."""
    invitations = tender_selectors.invitations_by_candidate(evaluation)
    receipts = tender_selectors.receipts(evaluation)
    contacts = tender_selectors.invitable_contacts_by_msp(evaluation) if inviting else {}
    rows = [
        CandidateRow(
            candidate=c,
            form=status_forms.get(c.pk),
            invitations=invitations.get(c.pk, []),
            receipt=receipts.get(c.pk),
            contacts=contacts.get(c.msp_id, []) if inviting and c.is_invited and c.bid_id is None else None,
        )
        for c in found
    ]
    return rows, receipts


def candidates_page(
    evaluation: Evaluation,
    user: AbstractBaseUser,
    *,
    invite_form: CandidateInviteForm | None = None,
    changed: tuple[Candidate, CandidateStatusForm] | None = None,
) -> CandidatesPage:
    """The candidates with their status and whether their bid arrived; the owner's forms while it is open.

    ``invite_form`` and ``changed`` (a candidate and its refused status form) are forms the request bound.
    """
    editable = can(user, "scoring.manage_evaluation", evaluation) and not evaluation.is_locked
    found = list(selectors.candidates(evaluation))
    _as_at_lock(evaluation, found)
    status_forms = _status_forms(found, changed) if editable else {}
    inviting = editable and evaluation.status in services.OPEN_FOR_INVITATIONS
    rows, receipts = _rows(evaluation, found, status_forms, inviting=inviting)
    opening = tender_selectors.opening(evaluation)
    sealed = sum(1 for r in receipts.values() if r.bid_id is None)
    return CandidatesPage(
        evaluation=evaluation,
        candidates=rows,
        opening=opening,
        sealed_count=sealed,
        closes_at=bids_close_at(evaluation.bids_due),
        can_open=editable and sealed > 0 and opening is None and services.bids_closed(evaluation),
        bid_count=sum(1 for c in found if c.bid_id is not None),
        editable=editable,
        invite_form=(invite_form or CandidateInviteForm(evaluation=evaluation)) if editable else None,
        open_form=changed[0].pk if changed else None,
    )
