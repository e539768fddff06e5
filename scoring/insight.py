"""What an executive reads off a ranking: the lead, the cost of each option, how robust the lead is.

Every figure comes from the ranking module (the stored ranking document, its
analysis, and ``ranking.cost_parts`` for the split of each TCO); nothing here
scores anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import analysis, charts, ranking, services
from .models import Bid, Criterion, Evaluation


@dataclass(frozen=True)
class Lead:
    leader: Mapping
    runner_up: Mapping | None
    other_model: Mapping | None = None  # the best-ranked bid of the other model, when both compete

    @property
    def margin(self) -> float | None:
        return None if self.runner_up is None else self.leader["total"] - self.runner_up["total"]

    @property
    def tie(self) -> str:
        """How first place was settled when the totals agree: "tco", "name", or "" for a real lead."""
        if self.runner_up is None or round(self.margin, 2) != 0:
            return ""
        return "tco" if self.leader["tco"] != self.runner_up["tco"] else "name"

    @property
    def tied_on_tco(self) -> bool:
        """Tied on total, first on its lower TCO."""
        return self.tie == "tco"

    @property
    def tied_on_name(self) -> bool:
        """Tied on total and TCO: first only by name order."""
        return self.tie == "name"


def lead(document: Mapping) -> Lead | None:
    ranked = [row for row in document["ranking"] if row["status"] == "ranked"]
    if not ranked:
        return None
    other = next((row for row in ranked if row["model"] != ranked[0]["model"]), None)
    return Lead(leader=ranked[0], runner_up=ranked[1] if len(ranked) > 1 else None, other_model=other)


def categories(criteria: Sequence[Criterion]) -> list[str]:
    """Criterion categories in the order they first appear."""
    return list(dict.fromkeys(c.category for c in criteria))


def cost_rows(evaluation: Evaluation, bids: Sequence[Bid], document: Mapping) -> list[dict]:
    """Each bid's TCO in its three parts, in ranking order, from the ranking module's own cost rules."""
    organization = ranking.Organization(
        employees=evaluation.employees,
        devices=evaluation.devices,
        it_staff_annual_cost=evaluation.it_staff_annual_cost,
    )
    by_vendor = {bid.vendor_name: bid for bid in bids}
    rows = []
    for row in document["ranking"]:
        bid = by_vendor.get(row["vendor"])
        if bid is None:
            continue
        parts = ranking.cost_parts(
            ranking.Bid.from_terms(bid, vendor=bid.vendor_name), organization, evaluation.term_months
        )
        budget_delta = None
        if evaluation.monthly_budget is not None:
            budget_delta = (
                ranking.monthly_cost(ranking.Bid.from_terms(bid, vendor=bid.vendor_name), organization)
                - evaluation.monthly_budget
            ) * evaluation.term_months
        rows.append(
            {
                "vendor": row["vendor"],
                "model": row["model"],
                "status": row["status"],
                "monthly_cost": row["monthly_cost"],
                "upfront": parts.upfront,
                "msp_fees": parts.msp_fees,
                "internal": parts.internal,
                "total": parts.total,
                "tco": row["tco"],
                "budget_delta": budget_delta,
            }
        )
    return rows


@dataclass(frozen=True)
class Robustness:
    criterion: Criterion
    entry: Mapping
    text: str  # "stays first unless the weight of “Price” falls below 18 (Bayside IT then leads)"
    short: str  # "unless this weight falls below 18 (Bayside IT then leads)"

    @property
    def robust(self) -> bool:
        return self.entry["low"] is None and self.entry["high"] is None

    @property
    def closeness(self) -> Decimal:
        """How near today's weight is to a bound, relative to the weight (smaller is more fragile)."""
        weight = Decimal(self.entry["weight"])
        gaps = [abs(weight - Decimal(self.entry[b])) for b in ("low", "high") if self.entry[b] is not None]
        if not gaps:
            return Decimal("Infinity")
        return min(gaps) / weight if weight else min(gaps)


def robustness(stored: Mapping, criteria: Sequence[Criterion]) -> list[Robustness]:
    """The weight ranges in words, the most fragile first (criteria the lead doesn't depend on last)."""
    by_key = {c.key: c for c in criteria}
    found = [
        Robustness(
            criterion=by_key[entry["criterion"]],
            entry=entry,
            text=analysis.statement(entry, f"the weight of {label(by_key[entry['criterion']])}"),
            short=analysis.statement(entry, "this weight").removeprefix("stays first "),
        )
        for entry in stored.get("sensitivity", [])
        if entry["criterion"] in by_key
    ]
    return sorted(found, key=lambda r: r.closeness)


def label(criterion: Criterion) -> str:
    text = criterion.text if len(criterion.text) <= 60 else criterion.text[:57].rstrip() + "…"
    return f"“{text}”"


def results(evaluation: Evaluation, criteria: list[Criterion], bids: list[Bid]) -> dict[str, Any]:
    """The ranking and what is read off it, for the dashboard and the board pack (one stored-ranking query)."""
    document, stored = services.stored_results(evaluation)
    rows = document["ranking"]
    ranked = [row for row in rows if row["status"] == "ranked"]
    order = categories(criteria)
    costs = cost_rows(evaluation, bids, document)
    ranked_costs = [c for c in costs if c["status"] == "ranked"] or costs
    contributions = stored.get("contributions", {})
    found = robustness(stored, criteria)
    return {
        "document": document,
        # Before any scorecard counts, the order is a standing by price alone (see analysis.build).
        "scored": stored.get("scored", True),
        "ranked": ranked,
        "disqualified": [row for row in rows if row["status"] != "ranked"],
        "lead": lead(document),
        "categories": order,
        "contributions": [
            (row, [Decimal(contributions.get(row["vendor"], {}).get(category, "0")) for category in order])
            for row in ranked
        ],
        "penalised": evaluation.red_flag_policy == "penalty",
        "contribution_chart": charts.contribution_chart(ranked, contributions, order),
        "costs": costs,
        "budget_deltas": {c["vendor"]: c["budget_delta"] for c in costs},
        "cost_chart": charts.cost_chart(ranked_costs),
        "cumulative_chart": charts.cumulative_chart(ranked_costs, evaluation.term_months),
        "charted_count": min(len(ranked_costs), charts.MAX_SERIES),
        "discuss": stored.get("discuss", []),
        "criterion_text": {c.key: c.text for c in criteria},
        "fragile": [r for r in found if not r.robust],
        "robust": [r for r in found if r.robust],
    }
