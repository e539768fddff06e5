"""How robust the leader is: for each criterion, the weights at which it stays first.

One weight moves, the others stay as they are. A bid's total is then a ratio of two
linear functions of that weight, so the leader and a rival swap places only where a
quadratic in the weight has a root. Those roots cut the weight axis into segments
on which the order cannot change; the leader's status is checked once per segment
with the ranking module's own ordering, so ties break exactly as in the ranking.

Pure Python over the ranking's exact (unrounded) inputs and rows: no queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from . import ranking
from .ranking import ZERO


@dataclass(frozen=True)
class _Line:
    """A bid's total as a function of one weight w: (a + b·w) / (c + d·w), less a fixed penalty."""

    vendor: str
    tco: Decimal
    a: Decimal
    b: Decimal
    c: Decimal
    d: Decimal
    penalty: Decimal
    penalised: bool

    def total(self, w: Decimal) -> Decimal:
        denominator = self.c + self.d * w
        total = (self.a + self.b * w) / denominator if denominator else ZERO
        return max(ZERO, total - self.penalty) if self.penalised else total

    def key(self, w: Decimal) -> tuple:
        return ranking.order_key(self.total(w), self.tco, self.vendor)


@dataclass(frozen=True)
class WeightRange:
    """The weights of one criterion within which the leader stays first (None: no bound)."""

    criterion: str
    weight: Decimal
    low: Decimal | None  # the leader loses first place below this weight
    high: Decimal | None  # ... and above this one
    below_leader: str | None  # who leads once the weight falls below ``low``
    above_leader: str | None  # who leads once it rises above ``high``

    @property
    def robust(self) -> bool:
        return self.low is None and self.high is None


def _lines(evaluation: ranking.Evaluation, rows: list[ranking.Row], key: str) -> list[_Line]:
    weights = {c.key: c.weight for c in evaluation.criteria}
    penalised = evaluation.red_flag_policy == "penalty"
    lines = []
    for row in rows:
        if row.rank is None:
            continue
        a = c = b = d = ZERO
        # row.criteria holds exactly the criteria that apply to the bid
        for criterion_key, percentage in row.criteria.items():
            weight = weights[criterion_key]
            if criterion_key == key:
                b, d = percentage, Decimal(1)
            else:
                a += weight * percentage
                c += weight
        lines.append(
            _Line(
                vendor=row.vendor,
                tco=row.tco,
                a=a,
                b=b,
                c=c,
                d=d,
                penalty=evaluation.red_flag_penalty * len(row.red_flags),
                penalised=penalised,
            )
        )
    return lines


def _roots(p2: Decimal, p1: Decimal, p0: Decimal) -> list[Decimal]:
    """Positive real roots of p2·w² + p1·w + p0."""
    if p2 == 0:
        return [-p0 / p1] if p1 != 0 and -p0 / p1 > 0 else []
    discriminant = p1 * p1 - 4 * p2 * p0
    if discriminant < 0:
        return []
    root = discriminant.sqrt()
    return [w for w in ((-p1 - root) / (2 * p2), (-p1 + root) / (2 * p2)) if w > 0]


# The ranking calls totals that agree to 6 decimals a tie: the order can change where the totals
# come within half a millionth of each other, not only where they meet.
TIE_BAND = Decimal("0.0000005")


def _breakpoints(leader: _Line, rival: _Line) -> list[Decimal]:
    """Weights where the two totals meet or come within the tie band (or a penalised total reaches zero)."""
    penalties = leader.penalty - rival.penalty if leader.penalised else ZERO
    la, lb, lc, ld = leader.a, leader.b, leader.c, leader.d
    ra, rb, rc, rd = rival.a, rival.b, rival.c, rival.d
    points: list[Decimal] = []
    for delta in (penalties, penalties - TIE_BAND, penalties + TIE_BAND):
        # leader − rival = Δ ⇔ the polynomial below = 0, for positive denominators
        p2 = lb * rd - rb * ld - delta * ld * rd
        p1 = la * rd + lb * rc - ra * ld - rb * lc - delta * (lc * rd + ld * rc)
        p0 = la * rc - ra * lc - delta * lc * rc
        points += _roots(p2, p1, p0)
    if leader.penalised:  # where a penalised total reaches the floor of zero
        for line in (leader, rival):
            points += _roots(ZERO, line.b - line.penalty * line.d, line.a - line.penalty * line.c)
    return points


def _first(lines: list[_Line], w: Decimal) -> _Line:
    return min(lines, key=lambda line: line.key(w))


def _range(lines: list[_Line], leader: _Line, current: Decimal) -> tuple:
    """(low, high, who leads below low, who leads above high) around today's weight.

    Walks outward from ``current`` one segment at a time, probing the middle of
    each; the first segment the leader loses ends the range. A root at today's
    weight itself (the leader only just ahead) gives a bound equal to it.
    """
    points = sorted({p for rival in lines if rival is not leader for p in _breakpoints(leader, rival)})
    low, below_leader = _low(lines, leader, current, [p for p in reversed(points) if p < current])
    high, above_leader = _high(lines, leader, current, [p for p in points if p > current])
    return low, high, below_leader, above_leader


def _low(lines: list[_Line], leader: _Line, current: Decimal, below: list[Decimal]) -> tuple:
    """(low, who leads below it), walking down from ``current`` through the breakpoints ``below`` it."""
    edges = [current, *below]
    for index, edge in enumerate(edges):
        if edge == 0:
            return None, None
        if index > 0 and (winner := _first(lines, edge)) is not leader:  # lost right at the edge (a tie)
            return edge, winner.vendor
        floor = edges[index + 1] if index + 1 < len(edges) else ZERO
        winner = _first(lines, (edge + floor) / 2)
        if winner is not leader:
            return edge, winner.vendor
    winner = _first(lines, ZERO)
    if winner is not leader and current > 0:
        return ZERO, winner.vendor
    return None, None


def _high(lines: list[_Line], leader: _Line, current: Decimal, above: list[Decimal]) -> tuple:
    """(high, who leads above it), walking up from ``current`` through the breakpoints ``above`` it."""
    edges = [current, *above]
    for index, edge in enumerate(edges):
        if index > 0 and (winner := _first(lines, edge)) is not leader:  # lost right at the edge (a tie)
            return edge, winner.vendor
        probe = (edge + edges[index + 1]) / 2 if index + 1 < len(edges) else edge * 2 + 1
        winner = _first(lines, probe)
        if winner is not leader:
            return edge, winner.vendor
    return None, None


def weight_ranges(evaluation: ranking.Evaluation, rows: list[ranking.Row]) -> list[WeightRange]:
    """For each criterion, the range of its weight within which today's leader stays first.

    Empty when fewer than two bids are ranked: there is no lead to lose.
    """
    ranked = [row for row in rows if row.rank is not None]
    if len(ranked) < 2:
        return []
    result = []
    with localcontext(prec=ranking.PRECISION):
        for criterion in evaluation.criteria:
            lines = _lines(evaluation, ranked, criterion.key)
            leader = next(line for line in lines if line.vendor == ranked[0].vendor)
            low, high, below_leader, above_leader = _range(lines, leader, criterion.weight)
            result.append(
                WeightRange(
                    criterion=criterion.key,
                    weight=criterion.weight,
                    low=low,
                    high=high,
                    below_leader=below_leader,
                    above_leader=above_leader,
                )
            )
    return result
