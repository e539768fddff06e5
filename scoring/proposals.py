"""A proposed award in its context: where the proposed bid stands beside the leader and the cheapest
compliant bid, what it costs over each, and what the decider should know of how it was scored. Read by
the decide page, the proposal's notification and the board pack, so all three say the same."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from scoring import ranking, services
from scoring.inputs import submitted_scores
from scoring.models import Assignment, Bid, Evaluation
from scoring.templatetags.scoring_extras import money


@dataclass(frozen=True)
class Standing:
    """One bid's place in the ranking: as the ranking document writes it."""

    vendor: str
    rank: int | None
    total: Decimal | None
    tco: Decimal
    monthly_cost: Decimal

    @classmethod
    def of(cls, row: dict) -> Standing:
        def number(value: float | None) -> Decimal | None:
            return None if value is None else Decimal(str(value))

        return cls(
            row["vendor"], row.get("rank"), number(row["total"]), number(row["tco"]), number(row["monthly_cost"])
        )


@dataclass
class ProposalContext:
    proposed: Standing
    leader: Standing | None  # first of the ranked bids
    cheapest: Standing | None  # the ranked (compliant) bid of lowest TCO
    outstanding: list[str] = field(default_factory=list)  # evaluators whose scorecards are not submitted
    single_scored: list[str] = field(default_factory=list)  # bids only one submitted scorecard scored
    late: list[str] = field(default_factory=list)  # bids entered after the bids-due date
    contract_term: int = 0  # the proposed bid's contract term, in months
    horizon: int = 0  # the evaluation's TCO horizon, in months

    @property
    def is_leader(self) -> bool:
        return self.leader is not None and self.leader.vendor == self.proposed.vendor

    @property
    def premium_over_leader(self) -> Decimal | None:
        """What the proposed bid costs over the term beyond the leader's TCO (negative: it is cheaper)."""
        return None if self.leader is None or self.is_leader else self.proposed.tco - self.leader.tco

    @property
    def premium_over_cheapest(self) -> Decimal | None:
        if self.cheapest is None or self.cheapest.vendor == self.proposed.vendor:
            return None
        return self.proposed.tco - self.cheapest.tco

    @property
    def against_leader(self) -> str:
        """The premium over the leader in words: "$1,234.00 more", "$50.00 less", "it is the leader"."""
        return _difference(self.premium_over_leader, "it is the leader")

    @property
    def against_cheapest(self) -> str:
        return _difference(self.premium_over_cheapest, "it is the cheapest")

    @property
    def short_term(self) -> bool:
        """The proposed contract ends before the horizon its TCO is counted over."""
        return self.contract_term < self.horizon

    def warnings(self) -> list[str]:
        """What the decider should weigh, in plain words; empty when nothing stands out."""
        said = []
        if self.leader is not None and not self.is_leader:
            said.append(
                f"The proposal is not the ranking's leader: {self.leader.vendor} is first with "
                f"{self.leader.total:.2f} points; {self.proposed.vendor} is "
                f"{_ordinal(self.proposed.rank)} with {_points(self.proposed.total)}."
            )
        if self.premium_over_cheapest is not None and self.premium_over_cheapest > 0:
            said.append(
                f"It costs {money(self.premium_over_cheapest, True)} more over {self.horizon} months than the cheapest "
                f"compliant bid, {self.cheapest.vendor}."
            )
        if self.outstanding:
            said.append(f"Scorecards not submitted: {', '.join(self.outstanding)}; their scores do not count.")
        if self.single_scored:
            said.append(f"Scored by one evaluator only: {', '.join(self.single_scored)}.")
        if self.late:
            said.append(f"Entered after the bids were due: {', '.join(self.late)}.")
        if self.short_term:
            said.append(
                f"Its contract runs {self.contract_term} months, shorter than the {self.horizon}-month horizon "
                "its TCO is counted over: the rest is at prices not yet agreed."
            )
        return said


def proposal_context(evaluation: Evaluation, bid: Bid) -> ProposalContext | None:
    """The context of proposing ``bid``; None when the ranking does not list it."""
    rows = services.ranking_document(evaluation)["ranking"]
    row = next((r for r in rows if r["vendor"] == bid.vendor_name), None)
    if row is None:
        return None
    ranked = [r for r in rows if r["status"] == ranking.RANKED]
    return ProposalContext(
        proposed=Standing.of(row),
        leader=Standing.of(ranked[0]) if ranked else None,
        cheapest=Standing.of(min(ranked, key=lambda r: (r["tco"], r["vendor"].casefold()))) if ranked else None,
        outstanding=_outstanding(evaluation),
        single_scored=_single_scored(evaluation),
        late=late_bids(evaluation),
        contract_term=bid.contract_term_months,
        horizon=evaluation.term_months,
    )


def _outstanding(evaluation: Evaluation) -> list[str]:
    waiting = Assignment.objects.filter(evaluation=evaluation, submitted_at__isnull=True).select_related("evaluator")
    return [a.evaluator.get_full_name() or a.evaluator.get_username() for a in waiting]


def _single_scored(evaluation: Evaluation) -> list[str]:
    """Bids that exactly one submitted scorecard scored (a conflict, or a panel of one)."""
    scorers: dict[str, set[int]] = defaultdict(set)
    for vendor, assignment in submitted_scores(evaluation).values_list("bid__vendor_name", "assignment_id"):
        scorers[vendor].add(assignment)
    submitted = Assignment.objects.filter(evaluation=evaluation, submitted_at__isnull=False).count()
    if submitted < 2:
        return []  # a panel of one: every bid has one scorer, which the outstanding list already says
    return sorted((vendor for vendor, found in scorers.items() if len(found) == 1), key=str.casefold)


def late_bids(evaluation: Evaluation) -> list[str]:
    """Bids entered by hand after the bids-due day (``Bid.entered_late``)."""
    return list(Bid.objects.filter(evaluation=evaluation, entered_late=True).values_list("vendor_name", flat=True))


def _difference(value: Decimal | None, none: str) -> str:
    if value is None:
        return none
    return f"{money(abs(value), True)} {'more' if value >= 0 else 'less'}"


def _points(value: Decimal | None) -> str:
    return "no total (not ranked)" if value is None else f"{value:.2f} points"


def _ordinal(rank: int | None) -> str:
    if rank is None:
        return "not ranked"
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"
