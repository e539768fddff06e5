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
