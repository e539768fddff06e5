"""The history page: the evaluation's audit trail, newest first, filtered by kind, person and dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core.history import HistoryEntry
from scoring import selectors
from scoring.models import Evaluation, PackageLoad
from scoring.pages.page import Page


def date_range(params: Mapping[str, str]) -> tuple[date | None, date | None, str]:
    """The ``from`` and ``to`` dates of the history filter; a bad one is ignored with a message."""
    found: list[date | None] = []
    problems = []
    for name, label in (("from", "From"), ("to", "To")):
        raw = params.get(name, "").strip()
        try:
            found.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            found.append(None)
            problems.append(f"{label} is not a date (use YYYY-MM-DD): it was left out.")
    if found[0] and found[1] and found[0] > found[1]:
        problems.append("From is after To: nothing can match.")
    return found[0], found[1], " ".join(problems)


@dataclass(frozen=True)
class HistoryFilter:
    """What the history is filtered by; empty or None keeps every entry."""

    kind: str = ""
    person: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def keeps(self, entry: HistoryEntry) -> bool:
        day = timezone.localtime(entry.when).date()
        return (
            (not self.kind or entry.kind == self.kind)
            and (not self.person or entry.who == self.person)
            and (self.date_from is None or day >= self.date_from)
            and (self.date_to is None or day <= self.date_to)
        )

    def newest_first(self, found: Iterable[HistoryEntry]) -> list[HistoryEntry]:
        return [entry for entry in reversed(list(found)) if self.keeps(entry)]


@dataclass
class HistoryPage(Page):
    evaluation: Evaluation
    entries: list[HistoryEntry]  # the ones kept, newest first
    kinds: list[str]
    people: list[str]
    kind: str
    person: str
    date_from: date | None
    date_to: date | None
    filter_error: str
    total: int
    package_load: PackageLoad | None


def history_page(evaluation: Evaluation, params: Mapping[str, str]) -> HistoryPage:
    """The history filtered by ``params`` (the query string's ``kind``, ``who``, ``from`` and ``to``)."""
    found = selectors.evaluation_history(evaluation)
    date_from, date_to, filter_error = date_range(params)
    chosen = HistoryFilter(params.get("kind", ""), params.get("who", ""), date_from, date_to)
    return HistoryPage(
        evaluation=evaluation,
        entries=chosen.newest_first(found),
        kinds=sorted({entry.kind for entry in found}),
        people=sorted({entry.who for entry in found}),
        kind=chosen.kind,
        person=chosen.person,
        date_from=date_from,
        date_to=date_to,
        filter_error=filter_error,
        total=len(found),
        package_load=selectors.package_load(evaluation),
    )
