"""The pages an executive decides from: sensitivity with the what-if, and the board pack."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.forms import BoundField
from django.utils import timezone

from scoring import consensus, insight, ranking, selectors, services
from scoring.forms import WhatIfForm
from scoring.models import Award, AwardDecision, ConflictOfInterest, Criterion, Evaluation, Waiver
from scoring.pages.page import Page
from scoring.proposals import ProposalContext, proposal_context

# --- Sensitivity and what-if -------------------------------------------------------------------


@dataclass
class SensitivityPage(Page):
    evaluation: Evaluation
    criteria: list[Criterion]
    form: WhatIfForm
    fields: list[tuple[Criterion, BoundField]]
    trial: list[dict[str, Any]] | None  # the ranking with the trial weights; None until weights are tried
    official: list[dict[str, Any]]
    lead: insight.Lead | None
    scored: bool
    robustness: list[insight.Robustness]


def what_if(evaluation: Evaluation, weights: dict[str, Decimal], official: dict) -> list[dict[str, Any]]:
    """The ranking with trial weights, beside the official one; computed, never saved."""
    source = selectors.ranking_input(evaluation)
    trial = dataclasses.replace(
        source.data,
        criteria=tuple(dataclasses.replace(c, weight=weights[c.key]) for c in source.data.criteria),
    )
    before = {row["vendor"]: row for row in official["ranking"]}
    return [_beside(row, before.get(row.vendor, {})) for row in ranking.rank(trial) if row.rank is not None]


def _beside(row: ranking.Row, was: dict[str, Any]) -> dict[str, Any]:
    total = ranking.written(row.total)
    return {
        "rank": row.rank,
        "vendor": row.vendor,
        "model": row.model,
        "total": total,
        "official_rank": was.get("rank"),
        "official_total": was.get("total"),
        "moved": (was["rank"] - row.rank) if was.get("rank") else 0,
        "delta": round(total - was["total"], 2) if was.get("total") is not None else None,
    }


def sensitivity_page(evaluation: Evaluation, query: Mapping[str, str]) -> SensitivityPage:
    """How robust the lead is, weight by weight; with ``w_…`` weights in ``query``, the ranking they give."""
    criteria = list(selectors.criteria(evaluation))
    document, stored = services.stored_results(evaluation)
    trying = any(key.startswith("w_") for key in query)
    # A link may carry only the weights it changes: the others stay as the evaluation has them.
    data = {WhatIfForm.field_name(c): f"{c.weight.normalize():f}" for c in criteria}
    data.update({key: query[key] for key in data if key in query})
    form = WhatIfForm(data if trying else None, criteria=criteria)
    return SensitivityPage(
        evaluation=evaluation,
        criteria=criteria,
        form=form,
        fields=[(c, form[WhatIfForm.field_name(c)]) for c in criteria],
        trial=what_if(evaluation, form.weights(), document) if trying and form.is_valid() else None,
        official=[row for row in document["ranking"] if row["status"] == "ranked"],
        lead=insight.lead(document),
        scored=stored.get("scored", True),
        robustness=insight.robustness(stored, criteria),
    )


# --- Board pack --------------------------------------------------------------------------------


@dataclass
class BoardPack(Page):
    """The board pack: the dashboard's results (``insight.results``) and what a board reads beside them."""

    results: dict[str, Any]
    evaluation: Evaluation
    criteria: list[Criterion]
    printed_at: datetime
    discuss: list[tuple[str, str, consensus.Cell]]  # overrides the stored results' list: named, sorted
    cell_count: int
    discuss_range: int
    leniency: list[tuple[str, Decimal]]
    waivers: QuerySet[Waiver]
    conflicts: QuerySet[ConflictOfInterest]
    incomplete: list[str]
    award: Award | None
    # The award proposed (pending) or approved, in its context: the recommendation follows it.
    proposed: Award | None = None
    proposal: ProposalContext | None = None

    def context(self) -> dict[str, Any]:
        fields = super().context()
        return {**fields.pop("results"), **fields}


def board_pack(evaluation: Evaluation) -> BoardPack:
    """Everything a board needs on paper: ranking, charts, red flags, consensus, sensitivity, recommendation."""
    criteria = list(selectors.criteria(evaluation))
    results = insight.results(evaluation, criteria, list(selectors.bids(evaluation)))
    cells = consensus.cells(
        selectors.submitted_scores(evaluation).values_list(
            "assignment__evaluator__username", "bid__vendor_name", "criterion__key", "score"
        )
    )
    text_of = {c.key: c.text for c in criteria}
    approved = selectors.approved_award(evaluation)
    return BoardPack(
        results=results,
        evaluation=evaluation,
        criteria=criteria,
        printed_at=timezone.now(),
        discuss=sorted(
            ((cell.vendor, text_of.get(cell.criterion, cell.criterion), cell) for cell in cells if cell.discuss),
            key=lambda item: (item[0].casefold(), item[1]),
        ),
        cell_count=len(cells),
        discuss_range=consensus.DISCUSS_RANGE,
        leniency=sorted(consensus.leniency(cells).items()),
        waivers=selectors.active_waivers(evaluation),
        conflicts=selectors.conflicts(evaluation),
        incomplete=[row["vendor"] for row in results["ranked"] if not row["complete"]],
        award=approved,
        **_proposed(evaluation, approved),
    )


def _proposed(evaluation: Evaluation, approved: Award | None) -> dict[str, Any]:
    """The award under decision, or approved, and its context (none without one)."""
    award = approved or selectors.awards(evaluation).filter(decision=AwardDecision.PENDING).first()
    if award is None or award.bid_id is None:
        return {}
    return {"proposed": award, "proposal": proposal_context(evaluation, award.bid)}
