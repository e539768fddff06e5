"""Bids and what is said about them: their terms, the requirements they meet, red flags and waivers."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import save_versioned
from scoring import ranking, selectors, terms
from scoring.models import (
    Bid,
    Candidate,
    Evaluation,
    RedFlag,
    Requirement,
    RequirementMet,
    Submission,
    Waiver,
    bids_close_at,
)
from scoring.results import refresh_ranking
from scoring.services.candidates import ensure_candidate
from scoring.services.changes import announce, explained
from scoring.services.common import retire
from scoring.services.locking import ensure_writable
from vendors.models import MSP

logger = logging.getLogger(__name__)


BID_FIELDS = [
    "model",
    "pricing_model",
    *terms.NAMES,
    "scope_included",
    "scope_excluded",
    "arrangement",
    "responsibilities",
]


def _clear_unused_amounts(bid: Bid) -> None:
    """Keep only what applies: the pricing model's amounts, and the model's scope or split."""
    required = ranking.PRICING_REQUIREMENTS.get(bid.pricing_model, ())
    for name in terms.AMOUNT_NAMES:
        if name not in required:
            setattr(bid, name, None)
    if bid.model == "co_managed":
        bid.scope_included, bid.scope_excluded = [], []
    else:
        bid.arrangement, bid.responsibilities = "", {}


def _set_requirements_met(bid: Bid, requirements: Iterable[Requirement]) -> None:
    wanted = {r.pk: r for r in requirements if r.evaluation_id == bid.evaluation_id}
    current = {link.requirement_id: link for link in RequirementMet.objects.filter(bid=bid)}
    for requirement_id, link in current.items():
        if requirement_id not in wanted:
            link.delete()  # recorded as a deletion in the history
    for requirement_id, requirement in wanted.items():
        if requirement_id not in current:
            RequirementMet.objects.create(bid=bid, requirement=requirement)


def _sealed_in_bid_room(evaluation: Evaluation, msp: MSP) -> bool:
    """Whether the MSP's sealed bid waits in the bid room (read under its candidate's lock, so a submission
    racing this bid finds one or the other)."""
    Candidate.objects.select_for_update().filter(evaluation=evaluation, msp=msp).first()
    return Submission.objects.sealed().filter(candidate__evaluation=evaluation, candidate__msp=msp).exists()


@transaction.atomic
def bid_create(
    *,
    evaluation: Evaluation,
    msp: MSP,
    requirements_met: Iterable[Requirement] = (),
    reason: str = "",
    from_bid_room: bool = False,
    **fields: Any,
) -> Bid:
    """Record a bid. One entered by hand after the bids closed needs a reason (kept on the record, and the
    bid is marked late wherever it shows); one ``from_bid_room`` (a sealed submission, opened) was
    accepted before the close. Once scoring has started, the evaluators are told of it."""
    ensure_writable(evaluation)
    if not from_bid_room and _sealed_in_bid_room(evaluation, msp):
        raise ValidationError(
            {"msp": f"{msp.name} has a sealed bid in the bid room: it becomes its bid when the bids are opened."}
        )
    closes = bids_close_at(evaluation.bids_due)
    late = not from_bid_room and closes is not None and timezone.now() >= closes
    what = f"a bid from {msp.name}" + (" entered after the bids were due" if late else "")
    reason = explained(evaluation, reason, what, needed=late)
    bid = Bid(
        evaluation=evaluation,
        msp=msp,
        vendor_name=msp.name,
        position=Bid.objects.filter(evaluation=evaluation).count(),
        entered_late=late,
        **fields,
    )
    _clear_unused_amounts(bid)
    bid.full_clean()
    bid._change_reason = reason or None
    bid.save()
    _set_requirements_met(bid, requirements_met)
    ensure_candidate(evaluation, msp)
    refresh_ranking(evaluation)
    announce(evaluation, what, reason)
    return bid


@transaction.atomic
def bid_update(
    *,
    bid: Bid,
    expected_version: int,
    requirements_met: Iterable[Requirement] | None = None,
    reason: str = "",
    **fields: Any,
) -> Bid:
    """Change a bid's terms; once scoring has started that needs a reason, kept on the record, and the
    evaluators are told."""
    unknown = set(fields) - set(BID_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    ensure_writable(bid.evaluation)
    requirements_met = None if requirements_met is None else list(requirements_met)
    before = {name: getattr(bid, name) for name in BID_FIELDS}
    met_before = (
        set(bid.requirement_links.values_list("requirement_id", flat=True)) if requirements_met is not None else set()
    )
    for name, value in fields.items():
        setattr(bid, name, value)
    _clear_unused_amounts(bid)
    changed = [name for name in BID_FIELDS if getattr(bid, name) != before[name]]
    if requirements_met is not None and {r.pk for r in requirements_met} != met_before:
        changed.append("requirements met")
    what = f"the bid from {bid.vendor_name}"
    reason = explained(bid.evaluation, reason, what) if changed else reason.strip()
    bid._change_reason = reason or None
    save_versioned(bid, expected_version=expected_version, fields=[*BID_FIELDS, "updated_at"])
    if requirements_met is not None:
        _set_requirements_met(bid, requirements_met)
    refresh_ranking(bid.evaluation)
    if changed:
        announce(bid.evaluation, f"{what} ({', '.join(name.replace('_', ' ') for name in changed)})", reason)
    return bid


@transaction.atomic
def flag_raise(*, bid: Bid, code: str, note: str, by: AbstractBaseUser) -> RedFlag:
    ensure_writable(bid.evaluation)
    if code.startswith(ranking.UNMET_PREFIX):
        raise ValidationError({"code": "Unmet requirements are flagged automatically."})
    if not note.strip():
        raise ValidationError({"note": "Explain the red flag in a note."})
    if RedFlag.objects.filter(bid=bid, code=code, withdrawn_at__isnull=True).exists():
        raise ValidationError({"code": "This bid already carries that flag."})
    if Waiver.objects.filter(bid=bid, code=code, revoked_at__isnull=True).exists():
        raise ValidationError({"code": "That flag is waived on this bid; revoke the waiver instead."})
    flag = RedFlag(bid=bid, code=code, note=note.strip(), raised_by=by)
    flag.full_clean()
    flag.save()
    refresh_ranking(bid.evaluation)
    announce(bid.evaluation, f"red flag {code} raised on the bid from {bid.vendor_name}", note.strip())
    return flag


@transaction.atomic
def flag_withdraw(*, flag: RedFlag, reason: str) -> RedFlag:
    return retire(flag, field="withdrawn_at", reason=reason, missing_reason="Say why the flag is withdrawn.")


@transaction.atomic
def waiver_create(*, bid: Bid, code: str, reason: str, by: AbstractBaseUser) -> Waiver:
    """Waive an automatic red flag that holds, with a written reason."""
    ensure_writable(bid.evaluation)
    data = selectors.ranking_input(bid.evaluation).data
    bid_data = next(b for b in data.bids if b.vendor == bid.vendor_name)
    if code.startswith(ranking.UNMET_PREFIX):
        raise ValidationError({"code": "An unmet requirement can't be waived."})
    if code in bid_data.manual_flags:
        raise ValidationError({"code": "That flag was raised by hand: withdraw it instead."})
    if code not in ranking.automatic_flags(bid_data):
        raise ValidationError({"code": "That automatic flag does not hold for this bid."})
    if code in bid_data.waived_flags:
        raise ValidationError({"code": "That flag is already waived."})
    if not reason.strip():
        raise ValidationError({"reason": "A waiver needs a written reason."})
    waiver = Waiver(bid=bid, code=code, reason=reason.strip(), waived_by=by)
    waiver.full_clean()
    waiver.save()
    refresh_ranking(bid.evaluation)
    announce(bid.evaluation, f"red flag {code} waived on the bid from {bid.vendor_name}", reason.strip())
    return waiver


@transaction.atomic
def waiver_revoke(*, waiver: Waiver, reason: str) -> Waiver:
    return retire(waiver, field="revoked_at", reason=reason, missing_reason="Say why the waiver is revoked.")
