"""The candidates page: who is invited to bid, what became of each invitation, the owner's forms."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from scoring import selectors, services
from scoring.forms import CandidateInviteForm, CandidateStatusForm
from scoring.models import Candidate, Evaluation
from scoring.pages.page import Page
from scoring.rules import can
from vendors.models import MSP


def status_prefix(candidate: Candidate) -> str:
    """The prefix of a candidate's status form: one form per row on the page."""
    return f"candidate-{candidate.pk}"


@dataclass
class CandidatesPage(Page):
    evaluation: Evaluation
    candidates: list[tuple[Candidate, CandidateStatusForm | None]]  # each with its status form, if editable
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
    status_forms: dict[int, CandidateStatusForm] = {}
    if editable:
        invite_form = invite_form or CandidateInviteForm(evaluation=evaluation)
        status_forms = {c.pk: CandidateStatusForm(prefix=status_prefix(c), instance=c) for c in found}
        if changed is not None:
            status_forms[changed[0].pk] = changed[1]
    return CandidatesPage(
        evaluation=evaluation,
        candidates=[(c, status_forms.get(c.pk)) for c in found],
        bid_count=sum(1 for c in found if c.bid_id is not None),
        editable=editable,
        invite_form=invite_form if editable else None,
        open_form=changed[0].pk if changed else None,
    )
