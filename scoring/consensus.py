"""Where evaluators agree and disagree: pure functions over submitted scores (no ORM)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

DISCUSS_RANGE = 3  # a spread of 3 points or more on the 0–5 scale is worth a conversation


@dataclass(frozen=True)
class Cell:
    vendor: str
    criterion: str
    scores: dict[str, int]  # evaluator -> score

    @property
    def spread(self) -> int:
        return max(self.scores.values()) - min(self.scores.values()) if self.scores else 0

    @property
    def mean(self) -> Decimal:
        return Decimal(sum(self.scores.values())) / len(self.scores)

    @property
    def discuss(self) -> bool:
        return self.spread >= DISCUSS_RANGE


def cells(scores: Iterable[tuple[str, str, str, int]]) -> list[Cell]:
    """(evaluator, vendor, criterion, score) of submitted scorecards -> one cell per bid and question."""
    grouped: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for evaluator, vendor, criterion, score in scores:
        grouped[(vendor, criterion)][evaluator] = score
    return [Cell(vendor, criterion, dict(by)) for (vendor, criterion), by in grouped.items()]


def leniency(all_cells: Iterable[Cell]) -> dict[str, Decimal]:
    """Each evaluator's mean offset from the panel: positive is lenient, negative harsh.

    Only cells scored by two or more evaluators say anything about leniency.
    """
    offsets: dict[str, list[Decimal]] = defaultdict(list)
    for cell in all_cells:
        if len(cell.scores) < 2:
            continue
        for evaluator, score in cell.scores.items():
            offsets[evaluator].append(Decimal(score) - cell.mean)
    return {evaluator: sum(values) / len(values) for evaluator, values in offsets.items()}


@dataclass(frozen=True)
class Normalised:
    """Scores with each evaluator's habits taken out, on the 0–5 scale."""

    scores: dict[tuple[str, str], list[Decimal]]  # (vendor, criterion) -> the panel's normalised scores
    unchanged: list[str]  # evaluators whose scores are all equal: left as scored


def _mean_and_sd(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    mean = sum(values, start=Decimal(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values), start=Decimal(0)) / len(values)
    return mean, variance.sqrt()


def normalise(scores: Iterable[tuple[str, str, str, int]]) -> Normalised:
    """Each evaluator's scores as z-scores, mapped back onto the panel's 0–5 scale.

    A score s of evaluator e becomes μ + σ·(s − μₑ)/σₑ, clamped to 0–5, where μₑ
    and σₑ are e's own mean and (population) standard deviation over this
    evaluation and μ and σ the whole panel's. An evaluator whose scores are all
    equal has no spread to divide by: their scores stay as they are.
    """
    rows = list(scores)
    by_evaluator: dict[str, list[Decimal]] = defaultdict(list)
    for evaluator, _, _, score in rows:
        by_evaluator[evaluator].append(Decimal(score))
    if not rows:
        return Normalised(scores={}, unchanged=[])
    panel_mean, panel_sd = _mean_and_sd([Decimal(score) for *_, score in rows])
    own = {evaluator: _mean_and_sd(values) for evaluator, values in by_evaluator.items()}
    unchanged = sorted(evaluator for evaluator, (_, sd) in own.items() if sd == 0)
    result: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for evaluator, vendor, criterion, score in rows:
        mean, sd = own[evaluator]
        if sd == 0:
            value = Decimal(score)
        else:
            value = min(Decimal(5), max(Decimal(0), panel_mean + panel_sd * (Decimal(score) - mean) / sd))
        result[(vendor, criterion)].append(value)
    return Normalised(scores=dict(result), unchanged=unchanged)
