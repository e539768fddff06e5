"""Candidates: the MSPs invited to bid, and what became of each invitation."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import save_versioned
from scoring.models import (
    Candidate,
    Evaluation,
    Model,
    Submission,
)
from scoring.services.locking import ensure_writable
from vendors.models import MSP

logger = logging.getLogger(__name__)


def ensure_candidate(evaluation: Evaluation, msp: MSP) -> None:
    """Every bidder is a candidate: an MSP that bids without an invitation becomes an invited one."""
    if not Candidate.objects.filter(evaluation=evaluation, msp=msp).exists():
        candidate = Candidate(evaluation=evaluation, msp=msp)
        candidate.full_clean()
        candidate.save()


def _offers_a_model_of(msp: MSP, evaluation: Evaluation) -> bool:
    return (msp.offers_fully_managed and evaluation.allows_bid_model(Model.FULLY_MANAGED)) or (
        msp.offers_co_managed and evaluation.allows_bid_model(Model.CO_MANAGED)
    )


def _named(msps: list[MSP], singular: str, plural: str) -> str:
    """The MSPs by name, with the verb agreeing: "A, B and C do", "A does"."""
    names = [msp.name for msp in msps]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{listed} {singular if len(names) == 1 else plural}"


@transaction.atomic
def candidate_invite(*, evaluation: Evaluation, msps: Iterable[MSP], by: AbstractBaseUser) -> list[Candidate]:
    """Invite MSPs to bid; those already candidates are skipped. Returns the candidates added.

    All or nothing: an MSP that offers no model the evaluation compares, or an archived one,
    refuses the whole invitation, naming it.
    """
    ensure_writable(evaluation)
    msps = list({msp.pk: msp for msp in msps}.values())
    archived = [msp for msp in msps if msp.is_archived]
    if archived:
        raise ValidationError({"msps": f"{_named(archived, 'is', 'are')} archived: restore them to invite them."})
    unfit = [msp for msp in msps if not _offers_a_model_of(msp, evaluation)]
    if unfit:
        offered = evaluation.get_model_display().lower()
        raise ValidationError(
            {"msps": f"{_named(unfit, 'does', 'do')} not offer {offered} IT, the model this evaluation compares."}
        )
    already = set(Candidate.objects.filter(evaluation=evaluation).values_list("msp_id", flat=True))
    added = []
    for msp in msps:
        if msp.pk in already:
            continue
        candidate = Candidate(evaluation=evaluation, msp=msp)
        candidate._history_user = by  # the history names who invited, in a request or not
        candidate.full_clean()
        candidate.save()
        added.append(candidate)
    return added


@transaction.atomic
def candidate_update(*, candidate: Candidate, expected_version: int, status: str, note: str) -> Candidate:
    """Record that a candidate declined or withdrew (or is invited again), with a note.

    ``expected_version`` is the candidate's version when the form was opened: a change made
    meanwhile is not overwritten (``EditConflict``). Its bid, if one was received, stays as it
    is: candidates are never ranked.
    """
    ensure_writable(candidate.evaluation)
    sealed = Submission.objects.sealed().filter(candidate=candidate)
    if status != candidate.status and sealed.exists():
        raise ValidationError(
            {"status": f"{candidate.msp.name}'s sealed bid waits in the bid room: it is opened with the others."}
        )
    candidate.status, candidate.note = status, note.strip()
    save_versioned(candidate, expected_version=expected_version, fields=["status", "note"])
    return candidate
