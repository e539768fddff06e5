"""The side by side of chosen bids, and the consensus of the panel's scores."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from evaluator.pagecache import cached_page
from scoring import consensus, fragments, guide, ranking, selectors, services
from scoring.models import (
    Bid,
    Criterion,
    Evaluation,
    RequirementMet,
    Score,
)
from scoring.views.access import evaluation_view


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


CompareLine = tuple[str, list[str], bool]  # label, one value per bid, whether they differ


def bid_picker(evaluation: Evaluation) -> list[Bid]:
    """The evaluation's bids with only what the picker shows (the name the bid was made under): the chosen
    ones are read in full."""
    return list(
        Bid.objects.filter(evaluation=evaluation)
        .select_related("msp")
        .only("evaluation_id", "version", "vendor_name", "msp__name")
    )


def _picked(request: HttpRequest, bids: list[Bid]) -> tuple[list[Bid], str]:
    """The bids of ``bids`` picked in ``?bid=``, in their order, and an error for a bad pick."""
    chosen_ids = [int(raw) for raw in request.GET.getlist("bid") if raw.isascii() and raw.isdigit() and len(raw) < 19]
    picked = [bid for bid in bids if bid.pk in chosen_ids]
    if request.GET.getlist("bid") and not 2 <= len(picked) <= 4:
        return picked, "Pick two to four bids of this evaluation."
    return picked, ""


def compare_sections(
    request: HttpRequest, evaluation: Evaluation, bids: list[Bid]
) -> tuple[list[Bid], list[tuple[str, list[CompareLine]]], str]:
    """The bids picked in ``?bid=`` (in the order of ``bids``, the picker's: see ``bid_picker``),
    their comparison in sections, and an error for a bad pick."""
    picked, error = _picked(request, bids)
    full = {} if error else Bid.objects.select_related("msp").in_bulk([bid.pk for bid in picked])
    chosen = [full[bid.pk] for bid in picked if bid.pk in full] if full else picked
    sections: list[tuple[str, list[CompareLine]]] = []
    if not error and len(chosen) >= 2:
        document = services.stored_ranking(evaluation)
        row_of = {row["vendor"]: row for row in document["ranking"]}
        criteria = list(Criterion.objects.filter(evaluation=evaluation))
        requirements = list(evaluation.requirements.all())
        met = {
            (link_bid, key)
            for link_bid, key in RequirementMet.objects.filter(bid__in=chosen).values_list("bid_id", "requirement__key")
        }

        def line(label: str, values: list[str]) -> CompareLine:
            return (label, values, len(set(values)) > 1)

        rows = [row_of.get(bid.vendor_name, {}) for bid in chosen]
        sections.append(
            (
                "Result",
                [
                    line("Rank", [str(r.get("rank") or "—") for r in rows]),
                    line(
                        "Total", [f"{r['total']:.2f}" if r.get("total") is not None else "disqualified" for r in rows]
                    ),
                    line("Red flags", [", ".join(r.get("red_flags", [])) or "none" for r in rows]),
                    *[
                        line(
                            f"{c.key} (weight {c.weight.normalize():f})",
                            [
                                f"{r['criteria'][c.key]:.1f} %" if c.key in r.get("criteria", {}) else "n/a"
                                for r in rows
                            ],
                        )
                        for c in criteria
                    ],
                ],
            )
        )
        sections.append(
            (
                "Price",
                [
                    line("Model", [bid.get_model_display() for bid in chosen]),
                    line("Pricing", [bid.get_pricing_model_display() for bid in chosen]),
                    line("Monthly cost", [f"${r.get('monthly_cost', 0):,.2f}" for r in rows]),
                    line(f"TCO over {evaluation.term_months} months", [f"${r.get('tco', 0):,.2f}" for r in rows]),
                    line("Onboarding fee", [f"${bid.onboarding_fee:,.2f}" for bid in chosen]),
                ],
            )
        )
        sections.append(
            (
                "Service and contract",
                [
                    line(
                        "Critical response",
                        [
                            (f"{bid.critical_response_minutes} min" if bid.critical_response_minutes else "none")
                            + (" (best effort)" if bid.sla_best_effort else "")
                            for bid in chosen
                        ],
                    ),
                    line("Contract term", [f"{bid.contract_term_months} months" for bid in chosen]),
                    line("Performance exit clause", [_yes_no(bid.performance_exit_clause) for bid in chosen]),
                    line("References offered", [str(bid.references_offered) for bid in chosen]),
                    line("Assessed our environment", [_yes_no(bid.environment_assessed) for bid in chosen]),
                    line(
                        "Documented escalation and onboarding",
                        [_yes_no(bid.documented_escalation and bid.documented_onboarding) for bid in chosen],
                    ),
                    *[line(r.text, [_yes_no((bid.pk, r.key) in met) for bid in chosen]) for r in requirements],
                ],
            )
        )
        sections.append(
            (
                "Scope (fully managed)",
                [
                    line(
                        label,
                        [_yes_no(key in bid.scope_included) if bid.model == "fully_managed" else "—" for bid in chosen],
                    )
                    for key, label in guide.FULLY_MANAGED_INCLUSIONS.items()
                ],
            )
        )
        sections.append(
            (
                "Who owns what (co-managed)",
                [
                    line(
                        label,
                        [
                            guide.OWNERS.get(bid.responsibilities.get(function, ""), "nobody")
                            if bid.model == "co_managed"
                            else "—"
                            for bid in chosen
                        ],
                    )
                    for function, label in guide.RESPONSIBILITY_FUNCTIONS.items()
                ],
            )
        )
    return chosen, sections, error


@cached_page("bid")
@evaluation_view("scoring.view_results", message="The comparison opens to you once you submit your scorecard.")
def compare(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """Two to four bids in aligned columns, with the rows where they differ highlighted."""
    bids = bid_picker(evaluation)
    chosen, error = _picked(request, bids)
    if error or len(chosen) < 2:
        return compare_page(request, evaluation, bids, chosen, error=error)
    drawn: dict[str, Any] = {}

    def draw() -> str:
        drawn["chosen"], drawn["sections"], _ = compare_sections(request, evaluation, bids)
        return render_to_string("scoring/_compare_table.html", {**drawn, "evaluation": evaluation})

    table = fragments.comparison(evaluation, chosen, draw)
    # When the table was drawn now, its sections are in the context too.
    chosen = drawn.pop("chosen", chosen)
    return compare_page(request, evaluation, bids, chosen, table=table, **drawn)


def compare_page(
    request: HttpRequest,
    evaluation: Evaluation,
    bids: list[Bid],
    chosen: list[Bid],
    *,
    table: str = "",
    error: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "evaluation": evaluation,
        "bids": bids,
        "chosen": chosen,
        "sections": [],
        "table": table,
        "error": error,
        "query": request.GET.urlencode(),
        **extra,
    }
    return render(request, "scoring/compare.html", context, status=status)


@evaluation_view("scoring.view_results", message="Other evaluators' scores open to you once you submit.")
def consensus_view(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The submitted scores per bid and question, their spread, and each evaluator's leniency."""
    scored = list(
        Score.objects.filter(bid__evaluation=evaluation, assignment__submitted_at__isnull=False).values_list(
            "assignment__evaluator__username", "bid__vendor_name", "criterion__key", "score", "from_package"
        )
    )
    rows = [row[:4] for row in scored]
    # Scores a package entered: shown as the importer's, not as the evaluator's own.
    from_package = {row[:3] for row in scored if row[4]}
    found = consensus.cells(rows)
    normalised = consensus.normalise(rows)
    official = {row["vendor"]: row for row in services.stored_ranking(evaluation)["ranking"]}
    source = selectors.ranking_input(evaluation)
    adjusted = [
        {
            "rank": row.rank,
            "vendor": row.vendor,
            "total": ranking.written(row.total),
            "official_rank": official.get(row.vendor, {}).get("rank"),
            "official_total": official.get(row.vendor, {}).get("total"),
        }
        for row in ranking.rank(dataclasses.replace(source.data, scores=normalised.scores))
        if row.rank is not None
    ]
    evaluators = sorted({name for cell in found for name in cell.scores})
    order = {c.key: i for i, c in enumerate(Criterion.objects.filter(evaluation=evaluation))}
    found.sort(key=lambda cell: (cell.vendor.casefold(), order.get(cell.criterion, 0)))
    assignments, load = selectors.assignments_with_load(evaluation)
    notes = selectors.scorer_notes(evaluation, assignments, load)
    scorers = [
        {"username": a.evaluator.username, "name": a.evaluator.get_full_name(), "notes": notes[a.evaluator_id]}
        for a in assignments
        if a.evaluator.username in evaluators and a.evaluator_id in notes
    ]
    return render(
        request,
        "scoring/consensus.html",
        {
            "evaluation": evaluation,
            "cells": found,
            "table": [
                (cell, [(cell.scores.get(e), (e, cell.vendor, cell.criterion) in from_package) for e in evaluators])
                for cell in found
            ],
            "evaluators": evaluators,
            "scorers": scorers,
            "marked": {s["username"] for s in scorers},
            "load": load if from_package else None,
            "leniency": sorted(consensus.leniency(found).items()),
            "discuss_count": sum(1 for cell in found if cell.discuss),
            "discuss_range": consensus.DISCUSS_RANGE,
            "normalised": adjusted,
            "unchanged": normalised.unchanged,
            "reordered": any(row["rank"] != row["official_rank"] for row in adjusted),
        },
    )
