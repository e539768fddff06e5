"""The consensus page: the panel's submitted scores per bid and question, their spread, each
evaluator's leniency, and the ranking re-run on scores normalised for leniency (shown, never saved)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scoring import consensus, ranking, selectors, services
from scoring.models import Evaluation, PackageLoad
from scoring.pages.page import Page

ScoreRow = tuple[str, str, str, int]  # evaluator's username, vendor, criterion key, score


def normalised_ranking(evaluation: Evaluation, scores: dict) -> list[dict[str, Any]]:
    """The ranking with ``scores`` in place of the submitted ones, beside the official one."""
    official = {row["vendor"]: row for row in services.stored_ranking(evaluation)["ranking"]}
    source = selectors.ranking_input(evaluation)
    return [
        {
            "rank": row.rank,
            "vendor": row.vendor,
            "total": ranking.written(row.total),
            "official_rank": official.get(row.vendor, {}).get("rank"),
            "official_total": official.get(row.vendor, {}).get("total"),
        }
        for row in ranking.rank(dataclasses.replace(source.data, scores=scores))
        if row.rank is not None
    ]


def _scorers(evaluation: Evaluation, evaluators: Sequence[str]) -> tuple[list[dict[str, Any]], PackageLoad | None]:
    """The evaluators the record has a note on (an owner who scores, a submission from a package), and the load."""
    assignments, load = selectors.assignments_with_load(evaluation)
    notes = selectors.scorer_notes(evaluation, assignments, load)
    scorers = [
        {"username": a.evaluator.username, "name": a.evaluator.get_full_name(), "notes": notes[a.evaluator_id]}
        for a in assignments
        if a.evaluator.username in evaluators and a.evaluator_id in notes
    ]
    return scorers, load


@dataclass
class ConsensusPage(Page):
    evaluation: Evaluation
    cells: list[consensus.Cell]
    table: list[tuple[consensus.Cell, list[tuple[int | None, bool]]]]  # each cell's score by evaluator, from a package?
    evaluators: list[str]
    scorers: list[dict[str, Any]]
    marked: set[str]
    load: PackageLoad | None  # shown only when a package entered scores
    leniency: list[tuple[str, Decimal]]
    discuss_count: int
    discuss_range: int
    normalised: list[dict[str, Any]]
    unchanged: list[str]
    reordered: bool


def _submitted(evaluation: Evaluation) -> tuple[list[ScoreRow], set[tuple[str, str, str]]]:
    """The submitted scores, and the (evaluator, vendor, criterion) of those a package entered: shown as the
    importer's, not as the evaluator's own."""
    scored = list(
        selectors.submitted_scores(evaluation).values_list(
            "assignment__evaluator__username", "bid__vendor_name", "criterion__key", "score", "from_package"
        )
    )
    return [row[:4] for row in scored], {row[:3] for row in scored if row[4]}


def consensus_page(evaluation: Evaluation) -> ConsensusPage:
    rows, from_package = _submitted(evaluation)
    found = consensus.cells(rows)
    normalised = consensus.normalise(rows)
    adjusted = normalised_ranking(evaluation, normalised.scores)
    evaluators = sorted({name for cell in found for name in cell.scores})
    order = {key: i for i, key in enumerate(selectors.criteria(evaluation).values_list("key", flat=True))}
    found.sort(key=lambda cell: (cell.vendor.casefold(), order.get(cell.criterion, 0)))
    scorers, load = _scorers(evaluation, evaluators)
    return ConsensusPage(
        evaluation=evaluation,
        cells=found,
        table=[
            (cell, [(cell.scores.get(e), (e, cell.vendor, cell.criterion) in from_package) for e in evaluators])
            for cell in found
        ],
        evaluators=evaluators,
        scorers=scorers,
        marked={s["username"] for s in scorers},
        load=load if from_package else None,
        leniency=sorted(consensus.leniency(found).items()),
        discuss_count=sum(1 for cell in found if cell.discuss),
        discuss_range=consensus.DISCUSS_RANGE,
        normalised=adjusted,
        unchanged=normalised.unchanged,
        reordered=any(row["rank"] != row["official_rank"] for row in adjusted),
    )
