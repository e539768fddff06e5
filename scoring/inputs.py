"""What the ranking is computed from: an evaluation's records as ``ranking``'s plain values, read in a
fixed number of queries, now or as they stood at a past moment (from the history)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from vendors.models import MSP

from . import ranking
from .models import (
    Assignment,
    Bid,
    BidDocument,
    Criterion,
    DocumentKind,
    Evaluation,
    Organization,
    RedFlag,
    Requirement,
    RequirementMet,
    Score,
    Waiver,
)


def submitted_scores(evaluation: Evaluation) -> QuerySet[Score]:
    """The scores of submitted scorecards: the only ones the ranking and the panel's consensus count."""
    return Score.objects.filter(bid__evaluation=evaluation, assignment__submitted_at__isnull=False)


def buyer_organization() -> Organization | None:
    """The buyer's profile (the first one entered), or None before it is set up."""
    return Organization.objects.order_by("pk").first()


@dataclass
class RankingInput:
    evaluation: Evaluation
    criteria: list[Criterion]
    requirements: list[Requirement]
    bids: list[Bid]
    data: ranking.Evaluation


def _build_input(
    evaluation: Evaluation,
    criteria: list[Criterion],
    requirements: list[Requirement],
    bids: list[Bid],
    *,
    met_rows: Iterable[tuple[int, str]],
    evidence_rows: Iterable[tuple[int, str, Any]],
    flag_rows: Iterable[tuple[int, str]],
    waiver_rows: Iterable[tuple[int, str]],
    score_rows: Iterable[tuple[int, str, int]],
    today: date,
) -> RankingInput:
    """The ranking's input from plain rows, whether read today or rebuilt from the history."""
    met: dict[int, set[str]] = defaultdict(set)
    for bid_id, key in met_rows:
        met[bid_id].add(key)
    # A requirement backed by evidence counts as unmet once all its evidence has expired.
    for bid_id, key in ranking.expired_requirements(evidence_rows, today):
        met[bid_id].discard(key)
    manual: dict[int, list[str]] = defaultdict(list)
    for bid_id, code in flag_rows:
        manual[bid_id].append(code)
    waived: dict[int, list[str]] = defaultdict(list)
    for bid_id, code in waiver_rows:
        waived[bid_id].append(code)
    vendor_of = {bid.pk: bid.vendor_name for bid in bids}
    scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    for bid_id, key, value in score_rows:
        if bid_id in vendor_of:
            scores[(vendor_of[bid_id], key)].append(value)

    data = ranking.Evaluation(
        title=evaluation.title,
        model=evaluation.model,
        term_months=evaluation.term_months,
        red_flag_policy=evaluation.red_flag_policy,
        red_flag_penalty=evaluation.red_flag_penalty,
        organization=ranking.Organization(
            employees=evaluation.employees,
            devices=evaluation.devices,
            it_staff_annual_cost=evaluation.it_staff_annual_cost,
        ),
        criteria=tuple(
            ranking.Criterion(key=c.key, kind=c.kind, weight=c.weight, applies_to=c.applies_to) for c in criteria
        ),
        requirements=tuple(r.key for r in requirements),
        bids=tuple(
            ranking.Bid.from_terms(
                bid,
                vendor=bid.vendor_name,
                requirements_met=frozenset(met[bid.pk]),
                manual_flags=tuple(manual[bid.pk]),
                waived_flags=tuple(waived[bid.pk]),
            )
            for bid in bids
        ),
        scores=dict(scores),
    )
    return RankingInput(evaluation=evaluation, criteria=criteria, requirements=requirements, bids=bids, data=data)


def ranking_day(evaluation: Evaluation) -> date:
    """The day a ranking of the evaluation is computed for, which decides what evidence has expired.

    Today for an open evaluation. A locked one keeps the day it was locked (its
    last change), so every figure read off it agrees with the ranking it was
    decided on, however much evidence has expired since.
    """
    if evaluation.is_locked and evaluation.updated_at is not None:
        return timezone.localtime(evaluation.updated_at).date()
    return timezone.localdate()


def ranking_input(evaluation: Evaluation, *, today: date | None = None) -> RankingInput:
    """Everything the ranking needs, in eight queries whatever the size.

    ``today`` decides which evidence has expired (default: ``ranking_day``).
    """
    return _build_input(
        evaluation,
        list(Criterion.objects.filter(evaluation=evaluation)),
        list(Requirement.objects.filter(evaluation=evaluation)),
        list(Bid.objects.filter(evaluation=evaluation).select_related("msp")),
        met_rows=RequirementMet.objects.filter(bid__evaluation=evaluation).values_list("bid_id", "requirement__key"),
        evidence_rows=BidDocument.objects.filter(
            bid__evaluation=evaluation, kind=DocumentKind.EVIDENCE, withdrawn_at__isnull=True
        ).values_list("bid_id", "requirement__key", "expires_on"),
        flag_rows=RedFlag.objects.filter(bid__evaluation=evaluation, withdrawn_at__isnull=True).values_list(
            "bid_id", "code"
        ),
        waiver_rows=Waiver.objects.filter(bid__evaluation=evaluation, revoked_at__isnull=True).values_list(
            "bid_id", "code"
        ),
        # Drafts never count: only scores of submitted scorecards reach the ranking.
        score_rows=submitted_scores(evaluation).values_list("bid_id", "criterion__key", "score"),
        today=today or ranking_day(evaluation),
    )


class BeforeTheRecord(ValueError):
    """An "as of" moment before the evaluation existed."""


def ranking_input_as_of(evaluation: Evaluation, when: datetime) -> RankingInput:
    """The ranking's input as it stood at ``when``, rebuilt from the history tables.

    Each model's ``history.as_of(when)`` gives its rows as they were then (rows
    deleted before ``when`` are gone, later changes undone). A fixed number of
    queries whatever the size.
    """
    then = (
        Evaluation.history.filter(id=evaluation.pk, history_date__lte=when)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if then is None or then.history_type == "-":
        raise BeforeTheRecord(f"“{evaluation.title}” did not exist yet on {timezone.localtime(when):%d %b %Y %H:%M}.")
    past = then.instance
    criteria = sorted(
        Criterion.history.as_of(when).filter(evaluation_id=evaluation.pk), key=lambda c: (c.position, c.pk)
    )
    requirements = sorted(
        Requirement.history.as_of(when).filter(evaluation_id=evaluation.pk), key=lambda r: (r.position, r.pk)
    )
    msps = {msp.pk: msp for msp in MSP.objects.filter(bids__evaluation=evaluation).distinct()}
    bids = sorted(Bid.history.as_of(when).filter(evaluation_id=evaluation.pk), key=lambda b: (b.position, b.pk))
    for bid in bids:
        if bid.msp_id in msps:
            bid.msp = msps[bid.msp_id]
    bid_ids = [bid.pk for bid in bids]
    key_of_requirement = {r.pk: r.key for r in requirements}
    key_of_criterion = {c.pk: c.key for c in criteria}
    submitted = {
        a.pk for a in Assignment.history.as_of(when).filter(evaluation_id=evaluation.pk) if a.submitted_at is not None
    }
    return _build_input(
        past,
        criteria,
        requirements,
        bids,
        met_rows=[
            (m.bid_id, key_of_requirement[m.requirement_id])
            for m in RequirementMet.history.as_of(when).filter(bid_id__in=bid_ids)
            if m.requirement_id in key_of_requirement
        ],
        evidence_rows=[
            (d.bid_id, key_of_requirement[d.requirement_id], d.expires_on)
            for d in BidDocument.history.as_of(when).filter(
                bid_id__in=bid_ids, kind=DocumentKind.EVIDENCE, withdrawn_at__isnull=True
            )
            if d.requirement_id in key_of_requirement
        ],
        flag_rows=[
            (f.bid_id, f.code)
            for f in RedFlag.history.as_of(when).filter(bid_id__in=bid_ids, withdrawn_at__isnull=True)
        ],
        waiver_rows=[
            (w.bid_id, w.code) for w in Waiver.history.as_of(when).filter(bid_id__in=bid_ids, revoked_at__isnull=True)
        ],
        score_rows=[
            (s.bid_id, key_of_criterion[s.criterion_id], s.score)
            for s in Score.history.as_of(when).filter(bid_id__in=bid_ids)
            if s.assignment_id in submitted and s.criterion_id in key_of_criterion
        ],
        today=timezone.localtime(when).date(),
    )
